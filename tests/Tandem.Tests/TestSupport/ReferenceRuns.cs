using Tandem.Generation;
using Tandem.Modeling;
using Tandem.Models.EncoderDecoder;
using static TorchSharp.torch;

namespace Tandem.Tests.TestSupport;

/// <summary>Runs an encoder-decoder reference folder's recorded inputs through Tandem, for any family.</summary>
internal static class ReferenceRuns
{
    /// <summary>The folder's model, loaded and in eval mode.</summary>
    public static EncoderDecoderModel Load(string dir)
    {
        var m = EncoderDecoderModel.FromPretrained(dir);
        m.eval();
        return m;
    }

    /// <summary>Teacher-forced forward pass on <c>inputs</c>: with the decoder inputs (and their mask when
    /// <paramref name="decoderMask"/>), or from the labels only.</summary>
    public static Seq2SeqOutput Forward(ISeq2SeqModel model, Reference r, bool decoderMask, bool labelsOnly = false)
    {
        using var _ = NewDisposeScope();
        var output = model.Forward(new Seq2SeqInput
        {
            InputIds = r.Tensor("inputs.input_ids", ScalarType.Int64),
            AttentionMask = r.Tensor("inputs.attention_mask", ScalarType.Int64),
            DecoderInputIds = labelsOnly ? null : r.Tensor("inputs.decoder_input_ids", ScalarType.Int64),
            DecoderAttentionMask = decoderMask ? r.Tensor("inputs.decoder_attention_mask", ScalarType.Int64) : null,
            Labels = r.Tensor("inputs.labels", ScalarType.Int64),
        });
        return new Seq2SeqOutput
        {
            Logits = output.Logits.MoveToOuterDisposeScope(),
            Loss = output.Loss!.MoveToOuterDisposeScope(),
            EncoderLastHiddenState = output.EncoderLastHiddenState.MoveToOuterDisposeScope(),
        };
    }

    /// <summary>Asserts the teacher-forced passes transformers recorded: with the decoder mask (encoder states,
    /// logits, loss), without it (logits), and from the labels only (logits, loss), each within
    /// <paramref name="tolerance"/>. <paramref name="encoderStates"/> names the recorded encoder output to compare
    /// (<c>encoder_hidden_states_projected</c> for a model with <c>enc_to_dec_proj</c>).</summary>
    public static void AssertForwardMatches(ISeq2SeqModel model, Reference r, double tolerance,
        string encoderStates = "encoder_last_hidden_state")
    {
        using (var withMask = Forward(model, r, decoderMask: true))
        using (var states = r.Tensor(encoderStates))
        using (var logits = r.Tensor("logits"))
        {
            Assert.True(Reference.MaxAbsDiff(withMask.EncoderLastHiddenState, states) <= tolerance);
            Assert.True(Reference.MaxAbsDiff(withMask.Logits, logits) <= tolerance);
            Assert.Equal(r["loss_with_decoder_input_ids_and_mask"].GetValue<double>(), withMask.Loss!.item<float>(), tolerance);
        }
        using (var noMask = Forward(model, r, decoderMask: false))
        using (var logits = r.Tensor("logits_no_decoder_attention_mask"))
            Assert.True(Reference.MaxAbsDiff(noMask.Logits, logits) <= tolerance);
        using (var labelsOnly = Forward(model, r, decoderMask: false, labelsOnly: true))
        using (var logits = r.Tensor("logits_labels_only"))
        {
            Assert.True(Reference.MaxAbsDiff(labelsOnly.Logits, logits) <= tolerance);
            Assert.Equal(r["loss_labels_only"].GetValue<double>(), labelsOnly.Loss!.item<float>(), tolerance);
        }
    }

    /// <summary>Generates from <c>inputs.input_ids</c> and <c>inputs.attention_mask</c>.</summary>
    public static GenerationOutput Generate(IGenerativeModel model, Reference r, GenerationConfig config, bool useCache = true)
    {
        using var ids = r.Tensor("inputs.input_ids", ScalarType.Int64);
        using var mask = r.Tensor("inputs.attention_mask", ScalarType.Int64);
        return Tandem.Generation.Generator.Generate(model, ids, mask, config, useCache);
    }

    /// <summary>A copy of the model's generation defaults changed by <paramref name="set"/>.</summary>
    public static GenerationConfig Config(ISeq2SeqModel m, Action<GenerationConfig> set)
    {
        var c = GenerationConfig.Parse(m.GenerationConfig.ToJson());
        set(c);
        return c;
    }

    /// <summary>Per-step scores equal the recorded <c>[steps, rows, vocab]</c> within <paramref name="tolerance"/>
    /// (the same entries infinite).</summary>
    public static void AssertStepScores(Reference r, string path, GenerationOutput output, double tolerance = 1e-4)
    {
        using var expected = r.Tensor(path);                                                    // [steps, rows, vocab]
        AssertStepScores(expected, output, tolerance);
    }

    /// <summary>Per-step scores equal <paramref name="expected"/> <c>[steps, rows, vocab]</c> within
    /// <paramref name="tolerance"/> (the same entries infinite), at the rows <paramref name="compared"/> (step, row)
    /// keeps (all when null).</summary>
    public static void AssertStepScores(Tensor expected, GenerationOutput output, double tolerance = 1e-4, Func<int, int, bool>? compared = null)
    {
        using var scope = NewDisposeScope();
        Assert.Equal(expected.shape[0], output.Scores!.Count);
        for (int step = 0; step < output.Scores.Count; step++)
        {
            var actual = tensor(output.Scores[step].SelectMany(x => x).ToArray(), [output.Scores[step].Length, output.Scores[step][0].Length]);
            var want = expected[step];
            if (compared is not null)
            {
                var rows = tensor(Enumerable.Range(0, (int)want.shape[0]).Where(row => compared(step, row)).Select(row => (long)row).ToArray());
                actual = actual.index_select(0, rows);
                want = want.index_select(0, rows);
            }
            var finite = want.isfinite();
            Assert.True(actual.isfinite().eq(finite).all().item<bool>(), $"step {step}: -inf elsewhere");
            var diff = Reference.MaxAbsDiff(actual.masked_fill(finite.logical_not(), 0), want.masked_fill(finite.logical_not(), 0));
            Assert.True(diff <= tolerance, $"step {step}: scores differ by {diff}");
        }
    }
}

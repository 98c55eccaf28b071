using Tandem.Models.Bert;
using Tandem.Models.Roberta;
using Tandem.Tests.TestSupport;
using static TorchSharp.torch;

namespace Tandem.Tests.Models.Roberta;

/// <summary>RoBERTa's halves against transformers 4.40.2 on the RoBERTa2RoBERTa and RoBERTaShare references
/// (left-padded encoder rows): position ids, every hidden state, the pooler.</summary>
public class RobertaModelParityTests
{
    const double Tolerance = 1e-5;

    [Theory]
    [InlineData(Reference.Roberta2Roberta)]
    [InlineData(Reference.RobertaShare)]
    public void PositionIdsSkipPaddingOnEitherSide(string name)
    {
        var r = Reference.Load(name);
        foreach (var (ids, expected) in new[]
        {
            ("inputs.input_ids", "position_ids.encoder_input_ids"),
            ("inputs.decoder_input_ids", "position_ids.decoder_input_ids"),
            ("shifted_decoder_input_ids_from_labels", "position_ids.shifted_labels_decoder_input_ids"),
        })
        {
            using var input = r.Tensor(ids, ScalarType.Int64);
            using var positions = RobertaModel.Positions(input, 1, 0);
            Assert.Equal(r.Rows(expected), ToRows(positions));
        }
    }

    [Fact]
    public void CachedPositionIdsContinueAfterThePastLength()
    {
        var r = Reference.Load(Reference.Roberta2Roberta);
        using var ids = r.Tensor("inputs.decoder_input_ids", ScalarType.Int64)[..1];            // [1, 6], no padding
        using var whole = RobertaModel.Positions(ids, 1, 0);
        for (int t = 0; t < ids.shape[1]; t++)
        {
            using var step = RobertaModel.Positions(ids[.., t..(t + 1)], 1, t);                 // [1, 1]
            Assert.Equal(whole[0, t].item<long>(), step[0, 0].item<long>());
        }
        using var pad = RobertaModel.Positions(tensor(new long[] { 1 }, [1, 1]), 1, 4);        // a pad after 4 cached tokens
        Assert.Equal(1L, pad.item<long>());
    }

    [Theory]
    [InlineData(Reference.Roberta2Roberta)]
    [InlineData(Reference.RobertaShare)]
    public void EncoderHiddenStatesAndPoolerMatchTransformers(string name)
    {
        var r = Reference.Load(name);
        using var encoder = RobertaModel.FromPretrained(Path.Combine(r.Dir, "encoder"));
        encoder.eval();
        using var _ = NewDisposeScope();
        using var output = encoder.forward(new BertInput
        {
            InputIds = r.Tensor("inputs.input_ids", ScalarType.Int64),
            AttentionMask = r.Tensor("inputs.attention_mask", ScalarType.Int64),
            OutputHiddenStates = true,
        });
        AssertStates(r, "encoder_all_hidden_states", output.HiddenStates!);
        Assert.True(Reference.MaxAbsDiff(output.LastHiddenState, r.Tensor("encoder_last_hidden_state")) <= Tolerance);
        Assert.True(Reference.MaxAbsDiff(output.PoolerOutput!, r.Tensor("encoder_pooler_output")) <= Tolerance);
    }

    [Theory]
    [InlineData(Reference.Roberta2Roberta)]
    [InlineData(Reference.RobertaShare)]
    public void DecoderHiddenStatesAndLogitsMatchTransformers(string name)
    {
        var r = Reference.Load(name);
        using var decoder = RobertaForCausalLM.FromPretrained(Path.Combine(r.Dir, "decoder"));
        decoder.eval();
        using var _ = NewDisposeScope();
        var input = new BertInput
        {
            InputIds = r.Tensor("inputs.decoder_input_ids", ScalarType.Int64),
            AttentionMask = r.Tensor("inputs.decoder_attention_mask", ScalarType.Int64),
            EncoderHiddenStates = r.Tensor("encoder_last_hidden_state"),
            EncoderAttentionMask = r.Tensor("inputs.attention_mask", ScalarType.Int64),
            OutputHiddenStates = true,
        };
        using var output = ((RobertaModel)decoder.Body).forward(input);
        AssertStates(r, "decoder_all_hidden_states", output.HiddenStates!);
        Assert.True(Reference.MaxAbsDiff(decoder.forward(input), r.Tensor("logits")) <= Tolerance);
    }

    static void AssertStates(Reference r, string path, IReadOnlyList<Tensor> actual)
    {
        var expected = r[path].AsArray();
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < actual.Count; i++)
        {
            using var want = Reference.ToTensor(expected[i]!, ScalarType.Float32);
            Assert.True(Reference.MaxAbsDiff(actual[i], want) <= Tolerance, $"{path}[{i}]");
        }
    }

    static long[][] ToRows(Tensor t) =>
        Enumerable.Range(0, (int)t.shape[0]).Select(i => t[i].data<long>().ToArray()).ToArray();
}

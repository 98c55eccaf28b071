using Tandem.Checkpoints;
using Tandem.Modeling;
using Tandem.Models.Gpt2;
using Tandem.Tests.TestSupport;
using static TorchSharp.torch;

namespace Tandem.Tests.Models.Gpt2;

/// <summary>The GPT-2 decoder halves of tiny-bert2gpt2 and tiny-roberta2gpt2-proj loaded on their own: given the
/// reference's encoder states, their logits are transformers' (the cross-attention half, before any wiring).</summary>
public class Gpt2CrossAttentionTests
{
    const double Tolerance = 1e-5;

    /// <summary>Reference folder and the encoder states its decoder read (projected where widths differ).</summary>
    public static TheoryData<string, string> Halves => new()
    {
        { "tiny-bert2gpt2", "encoder_last_hidden_state" },
        { "tiny-roberta2gpt2-proj", "encoder_hidden_states_projected" },
    };

    static Tensor Logits(Gpt2LMHeadModel model, Reference r, string states, bool decoderMask, KeyValueCache? cache = null,
        Range? columns = null)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = r.Tensor("inputs.decoder_input_ids", ScalarType.Int64);
        var mask = r.Tensor("inputs.decoder_attention_mask", ScalarType.Int64);
        if (columns is { } c)
        {
            ids = ids[.., c];
            mask = mask[.., ..c.End];
        }
        return model.forward(new DecoderInput
        {
            InputIds = ids,
            AttentionMask = decoderMask ? mask : null,
            EncoderHiddenStates = r.Tensor(states),
            EncoderAttentionMask = r.Tensor("inputs.attention_mask", ScalarType.Int64),
            Cache = cache,
        }).MoveToOuterDisposeScope();
    }

    [Theory]
    [MemberData(nameof(Halves))]
    public void DecoderLogitsGivenEncoderStatesMatchTransformers(string name, string states)
    {
        var r = Reference.Load(name);
        foreach (var file in new[] { "model.safetensors", "pytorch_model.bin" })
        {
            using var dir = Paths.TempDir();
            File.Copy(Path.Combine(r.Dir, "decoder", "config.json"), dir["config.json"]);
            File.Copy(Path.Combine(r.Dir, "decoder", file), dir[file]);
            using var model = Gpt2ParityTests.Load(dir.Path);
            Assert.True(model.Config.AddCrossAttention);
            using (var logits = Logits(model, r, states, decoderMask: true))
            using (var expected = r.Tensor("logits"))
                Assert.True(Reference.MaxAbsDiff(logits, expected) <= Tolerance, $"{file}: {Reference.MaxAbsDiff(logits, expected)}");
            using (var logits = Logits(model, r, states, decoderMask: false))
            using (var expected = r.Tensor("logits_no_decoder_attention_mask"))
                Assert.True(Reference.MaxAbsDiff(logits, expected) <= Tolerance);
        }
    }

    [Theory]
    [MemberData(nameof(Halves))]
    public void CachedStepsEqualTheWholeSequence(string name, string states)
    {
        var r = Reference.Load(name);
        using var model = Gpt2ParityTests.Load(Path.Combine(r.Dir, "decoder"));
        using var whole = Logits(model, r, states, decoderMask: true);
        using var cache = new KeyValueCache(model.NumLayers);
        long len = whole.shape[1];
        for (int t = 0; t < len; t++)
        {
            using var step = Logits(model, r, states, decoderMask: true, cache, t..(t + 1));   // [batch, 1, vocab]
            using var want = whole[.., t..(t + 1)];
            Assert.True(Reference.MaxAbsDiff(step, want) <= Tolerance, $"position {t}");
        }
    }

    [Fact]
    public void WarmStartingAPlainGpt2AddsNewCrossAttention()
    {
        var r = Reference.Load("tiny-gpt2");
        var report = new LoadReport();
        using var model = Gpt2LMHeadModel.FromPretrained(r.Dir, addCrossAttention: true, report);
        Assert.True(model.Config.IsDecoder && model.Config.AddCrossAttention);
        Assert.Equal(2 * 8, report.NotFromCheckpoint.Count(k => k.Contains("crossattention") || k.Contains("ln_cross_attn")));
        Assert.Contains("lm_head.weight", report.NotFromCheckpoint);                            // tied: takes wte's value
        Assert.DoesNotContain("lm_head.weight", report.Missing);
        var e = Assert.Throws<TandemException>(() => Gpt2ParityTests.Load(Path.Combine(Paths.Reference("tiny-bert2gpt2"), "encoder")));
        Assert.Contains("model_type", e.Message);
    }
}

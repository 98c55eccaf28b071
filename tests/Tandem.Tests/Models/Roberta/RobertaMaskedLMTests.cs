using Tandem.Checkpoints;
using Tandem.Models;
using Tandem.Tests.TestSupport;
using static TorchSharp.torch;

namespace Tandem.Tests.Models.Roberta;

/// <summary>RoBERTa as a masked LM (transformers' <c>RobertaForMaskedLM</c>): the keys of the folder it writes, a
/// reload, and continuing from a <c>RobertaModel</c> folder transformers wrote.</summary>
public class RobertaMaskedLMTests
{
    static readonly string ReferenceDecoder = Paths.Reference(Reference.Roberta2Roberta, "decoder");
    static readonly string ReferenceEncoder = Paths.Reference(Reference.Roberta2Roberta, "encoder");

    [Fact]
    public void TheFolderHasExactlyTransformersKeysAndReloadsWithEqualLogits()
    {
        using var tmp = Paths.TempDir();
        // the reference decoder's shape (a RobertaForCausalLM with cross-attention) as a masked LM
        var model = MaskedLanguageModels.Create(ModelFamilies.LoadConfig(ReferenceDecoder), ReferenceDecoder);
        using var _ = model.Module;
        model.Module.eval();
        model.SavePretrained(tmp["mlm"]);

        // transformers writes RobertaForCausalLM and RobertaForMaskedLM alike (roberta without pooler, lm_head with
        // decoder.weight and decoder.bias tied away); the masked LM has no cross-attention
        var expected = SafeTensors.ReadShapes(Path.Combine(ReferenceDecoder, "model.safetensors"))
            .Where(kv => !kv.Key.Contains(".crossattention.", StringComparison.Ordinal)).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var written = SafeTensors.ReadShapes(tmp["mlm/model.safetensors"]).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Select(kv => kv.Key), written.Select(kv => kv.Key));
        Assert.Equal(expected.Select(kv => kv.Value), written.Select(kv => kv.Value));
        var config = ModelFamilies.LoadConfig(tmp["mlm"]);
        Assert.Equal(["RobertaForMaskedLM"], config.Architectures);
        Assert.False(config.IsDecoder);
        Assert.False(config.AddCrossAttention);

        var reloaded = MaskedLanguageModels.FromPretrained(tmp["mlm"]);
        using var __ = reloaded.Module;
        reloaded.Module.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(new long[] { 0, 5, 17, 42, 9, 2, 0, 63, 8, 2 }, [2, 5], ScalarType.Int64);   // <s> ... </s> twice
        var all = ones_like(ids).to(ScalarType.Bool);
        var before = model.MaskedLogits(ids, all);                                             // [10, vocab]
        var after = reloaded.MaskedLogits(ids, all);
        Assert.Equal(new long[] { 10, 96 }, before.shape);
        Assert.Equal(0.0, Reference.MaxAbsDiff(before, after));
        // the head reads the selected positions only: the same values as with every position selected
        var some = ids.gt(5);
        var rows = after.masked_select(some.flatten().unsqueeze(1)).reshape(-1, 96);                // [selected, vocab]
        Assert.True(reloaded.MaskedLogits(ids, some).allclose(rows, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void ContinuingFromATransformersRobertaModelFolderLoadsTheBodyAndMakesOnlyTheHeadNew()
    {
        var model = MaskedLanguageModels.Continue(ReferenceEncoder, out var report);
        using var _ = model.Module;
        Assert.Equal(["RobertaForMaskedLM"], model.Config.Architectures);
        Assert.NotEmpty(report.Missing);
        Assert.All(report.Missing, k => Assert.StartsWith("lm_head.", k));
        Assert.All(report.Unused, k => Assert.StartsWith("pooler.", k));                          // RobertaModel's pooler
        var body = SafeTensors.ReadShapes(Path.Combine(ReferenceEncoder, "model.safetensors")).Keys.Where(k => !k.StartsWith("pooler.", StringComparison.Ordinal));
        Assert.Equal(body.Select(k => "roberta." + k).Order(StringComparer.Ordinal), report.Loaded.Order(StringComparer.Ordinal));

        // strictly, the folder is no masked LM: it has no head
        var e = Assert.Throws<TandemException>(() => MaskedLanguageModels.FromPretrained(ReferenceEncoder));
        Assert.Contains("lm_head.dense.weight", e.Message);
    }

    [Fact]
    public void AFamilyWithoutAMaskedLMIsOneClearError()
    {
        var gpt2 = Paths.Reference("tiny-gpt2");
        var e = Assert.Throws<TandemException>(() => MaskedLanguageModels.FromPretrained(gpt2));
        Assert.Contains("not a masked language model", e.Message);
        Assert.Contains("BERT, RoBERTa", e.Message);
    }
}

using Tandem.Modeling;
using Tandem.Native;
using Tandem.Models.Bert;
using Tandem.Tests.TestSupport;
using static TorchSharp.torch;

namespace Tandem.Tests.Modeling;

public class InitializationTests
{
    [Fact]
    public void BuildingForAStrictLoadSkipsInitialisationOnlyWhileBuilding()
    {
        var config = TinyBert.Config;
        using (Initialization.BuildForStrictLoad(() => new BertModel(config))) { }
        // after the build, a model is initialised as before: N(0, initializer_range) weights, LayerNorm ones
        using var model = new BertModel(config);
        var weights = model.named_parameters().Where(p => p.name.EndsWith("query.weight", StringComparison.Ordinal)).Select(p => p.parameter).ToList();
        Assert.NotEmpty(weights);
        foreach (var w in weights)
            Assert.InRange(w.std().item<float>(), 0.5 * config.InitializerRange, 1.5 * config.InitializerRange);
        var norm = model.named_parameters().First(p => p.name.EndsWith("LayerNorm.weight", StringComparison.Ordinal)).parameter;
        Assert.True(norm.eq(1.0).all().item<bool>());
    }

    [Fact]
    public void BuildingForAStrictLoadPacksTheParametersIntoOneBlockAndKeepsTheirLayouts()
    {
        using var model = Initialization.BuildForStrictLoad(() => new BertModel(TinyBert.Config));
        using var fresh = new BertModel(TinyBert.Config);
        var packed = model.named_parameters().ToList();
        var spans = packed.Select(p => (Start: TensorBlock.Address(p.parameter), Bytes: p.parameter.NumberOfElements * p.parameter.ElementSize)).OrderBy(s => s.Start).ToList();
        long used = spans.Sum(s => s.Bytes), span = spans[^1].Start + spans[^1].Bytes - spans[0].Start;
        Assert.InRange(span, used, used + 128L * spans.Count);                        // one block: only alignment between them
        for (int i = 1; i < spans.Count; i++) Assert.True(spans[i].Start >= spans[i - 1].Start + spans[i - 1].Bytes, "two parameters overlap");
        foreach (var ((name, p), (_, q)) in packed.Zip(fresh.named_parameters()))
        {
            Assert.Equal(q.shape, p.shape);
            Assert.True(q.stride().SequenceEqual(p.stride()), $"{name}: strides {string.Join(",", p.stride())}, built {string.Join(",", q.stride())}");
            Assert.True(p.requires_grad, $"{name} no longer requires grad");
        }
    }

    [Fact]
    public void PackingKeepsTiedParametersTied()
    {
        var r = Reference.Load(Reference.RobertaShare);                                // the encoder is the decoder's RoBERTa
        using var model = ReferenceRuns.Load(r.Dir);
        var byKey = model.state_dict();                                                  // every key, the tied ones too
        var pairs = byKey.Keys.Where(k => k.StartsWith("encoder.", StringComparison.Ordinal))
            .Select(k => (Encoder: k, Decoder: "decoder.roberta." + k["encoder.".Length..])).Where(p => byKey.ContainsKey(p.Decoder)).ToList();
        Assert.NotEmpty(pairs);
        using var noGrad = no_grad();
        foreach (var (encoder, decoder) in pairs)
        {
            Assert.Equal(TensorBlock.Address(byKey[encoder]), TensorBlock.Address(byKey[decoder]));
            byKey[encoder].add_(1.0);
            Assert.True(byKey[decoder].eq(byKey[encoder]).all().item<bool>(), $"{encoder} and {decoder} came apart");
        }
    }
}

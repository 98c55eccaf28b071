using Tandem.Modeling;
using Tandem.Models.Bert;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Modeling;

public class InitializationTests
{
    [Fact]
    public void SkippingForAStrictLoadEndsWhenDisposed()
    {
        var config = TinyBert.Config;
        using (Initialization.SkipForStrictLoad())
        using (new BertModel(config)) { }
        // after the skip, a model is initialised as before: N(0, initializer_range) weights, LayerNorm ones
        using var model = new BertModel(config);
        var weights = model.named_parameters().Where(p => p.name.EndsWith("query.weight", StringComparison.Ordinal)).Select(p => p.parameter).ToList();
        Assert.NotEmpty(weights);
        foreach (var w in weights)
            Assert.InRange(w.std().item<float>(), 0.5 * config.InitializerRange, 1.5 * config.InitializerRange);
        var norm = model.named_parameters().First(p => p.name.EndsWith("LayerNorm.weight", StringComparison.Ordinal)).parameter;
        Assert.True(norm.eq(1.0).all().item<bool>());
    }
}

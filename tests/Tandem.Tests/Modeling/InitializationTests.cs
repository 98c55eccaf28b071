using Tandem.Modeling;
using static TorchSharp.torch;

namespace Tandem.Tests.Modeling;

public class InitializationTests
{
    [Fact]
    public void SkippingForAStrictLoadLeavesWeightsAloneUntilDisposed()
    {
        using var layer = new Linear(4, 3);
        using var model = nn.Sequential(("layer", layer));                      // Apply walks the root's sub-modules
        using (no_grad()) layer.weight.fill_(7.0);
        using (Initialization.SkipForStrictLoad()) Initialization.Apply(model, 0.02);
        Assert.True(layer.weight.eq(7.0).all().item<bool>());
        Assert.True(layer.bias!.eq(0.0).all().item<bool>());                   // zeros from the constructor
        Initialization.Apply(model, 0.02);
        Assert.False(layer.weight.eq(7.0).any().item<bool>());
        Assert.True(layer.weight.abs().max().item<float>() < 0.2f);             // N(0, 0.02)
    }
}

using Tandem.Modeling;
using static TorchSharp.torch;

namespace Tandem.Tests.Modeling;

public class AutocastTests
{
    /// <summary>A layer's input is converted once for its products only while a scope is active and no gradient is
    /// recorded (to the values each product would convert it to); in training and outside a scope it passes as it is,
    /// so each product converts its own input and the gradients add up in float32.</summary>
    [Fact]
    public void ProductInputIsConvertedOnceOnlyWithoutGradients()
    {
        using var scope = NewDisposeScope();
        var x = randn(2, 3, 8);
        Assert.Same(x, Autocast.ProductInput(x));                                                // no scope
        using (Autocast.Enter(ScalarType.BFloat16))
        {
            Assert.Same(x, Autocast.ProductInput(x));                                            // gradients recorded
            using var noGrad = no_grad();
            var converted = Autocast.ProductInput(x);
            Assert.Equal(ScalarType.BFloat16, converted.dtype);
            Assert.True(converted.eq(x.to(ScalarType.BFloat16)).all().item<bool>());
            Assert.Same(converted, Autocast.ProductInput(converted));                            // already converted
        }
    }
}

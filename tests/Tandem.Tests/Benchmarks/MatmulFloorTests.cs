using Tandem.Benchmarks;
using Tandem.Benchmarks.Workloads;
using Tandem.Tests.TestSupport;
using static TorchSharp.torch;

namespace Tandem.Tests.Benchmarks;

[Collection(SequentialCollection.Name)]                                    // timing seeds libtorch's generator
public class MatmulFloorTests
{
    /// <summary>The listed products are the workloads': a training step's forward and backward (three times the
    /// forward) and an encoder pass add up to the FLOPs the figures count, at the reference shapes and at others.</summary>
    [Theory]
    [InlineData(16, 32, 64)]
    [InlineData(1, 32, 128)]
    [InlineData(3, 17, 9)]
    public void AddUpToTheWorkloadsFlops(int batch, int source, int target)
    {
        double training = 3 * MatmulFloor.Training(batch, source, target).Sum(p => p.ForwardFlops);
        double step = MatmulFlops.TrainStep(batch, source, target);
        Assert.True(Math.Abs(training - step) <= 1e-9 * step, $"{training} against {step}");
        double encoder = MatmulFloor.Encoder(batch, source).Sum(p => p.ForwardFlops);
        Assert.True(Math.Abs(encoder - MatmulFlops.Encoder(batch, source)) <= 1e-9 * encoder, $"{encoder}");
    }

    /// <summary>Timing runs every product in the dtype asked for, with and without the backward pass, and gives a
    /// positive time, and leaves gradients recorded as they were.</summary>
    [Theory]
    [InlineData(ScalarType.Float32, true)]
    [InlineData(ScalarType.BFloat16, true)]
    [InlineData(ScalarType.BFloat16, false)]
    public void TimesSmallProducts(ScalarType dtype, bool backward)
    {
        Product[] products = [new("layer", 2, 0, 8, 4, 6), new("attention", 1, 3, 5, 4, 2)];
        double seconds = MatmulFloor.Time(products, dtype, backward, 1, 2);
        Assert.True(seconds > 0, seconds.ToString());
        Assert.True(is_grad_enabled(), "gradients are recorded again after an inference timing");
    }
}

using Tandem.Benchmarks;
using Tandem.Benchmarks.Workloads;
using Tandem.Tests.TestSupport;
using static TorchSharp.torch;

namespace Tandem.Tests.Benchmarks;

[Collection(SequentialCollection.Name)]                                    // timing seeds libtorch's generator
public class TrainingProductsTests
{
    /// <summary>The listed products are the step's: forward and backward (three times the forward) add up to the FLOPs
    /// the training figures count, at the reference shapes and at others.</summary>
    [Theory]
    [InlineData(16, 32, 64)]
    [InlineData(4, 32, 64)]
    [InlineData(3, 17, 9)]
    public void AddUpToTheStepsFlops(int batch, int source, int target)
    {
        double listed = 3 * TrainingProducts.Of(batch, source, target).Sum(p => p.ForwardFlops);
        double counted = MatmulFlops.TrainStep(batch, source, target);
        Assert.True(Math.Abs(listed - counted) <= 1e-9 * counted, $"{listed} against {counted}");
    }

    /// <summary>Timing runs every product forward and backward in the dtype asked for and gives a positive time.</summary>
    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)]
    public void TimesSmallProducts(ScalarType dtype)
    {
        StepProduct[] products = [new("layer", 2, 0, 8, 4, 6), new("attention", 1, 3, 5, 4, 2)];
        double seconds = TrainingProducts.Time(products, dtype, 1, 2);
        Assert.True(seconds > 0, seconds.ToString());
    }
}

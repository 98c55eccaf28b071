using Tandem.Kernels;
using Tandem.Modeling;
using Tandem.Tests.TestSupport;
using static TorchSharp.torch;

namespace Tandem.Tests.Kernels;

[Collection(SequentialCollection.Name)]                                    // a seed must give the same masks again
public class DropoutMaskTests
{
    /// <summary>Each mask element is 0 or 1 / (1 - p) in the tensor's dtype, and the kept share is 1 - p within
    /// sampling error (five standard deviations) for float32, bf16 and float16, odd lengths included (the scalar tail).</summary>
    [Theory]
    [InlineData(ScalarType.Float32, 0.1, 1_000_003)]
    [InlineData(ScalarType.BFloat16, 0.1, 999_999)]
    [InlineData(ScalarType.Float16, 0.5, 100_001)]
    [InlineData(ScalarType.Float32, 0.9, 77)]
    public void KeepsOneMinusPOfTheElementsScaledByItsInverse(ScalarType dtype, double p, int n)
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var mask = DropoutMask.TryCreate(empty(n, dtype: dtype), p);
        Assert.NotNull(mask);
        Assert.Equal(dtype, mask!.dtype);
        Assert.Equal(new long[] { n }, mask.shape);
        var scale = tensor(1.0 / (1 - p)).to(dtype).to(ScalarType.Float64).item<double>();
        var values = mask.to(ScalarType.Float64);
        var kept = values.ne(0);
        Assert.Equal(n, (kept.sum().item<long>() + values.eq(0).sum().item<long>()));
        Assert.True(values.masked_select(kept).eq(scale).all().item<bool>(), "kept elements are 1 / (1 - p)");
        double share = kept.sum().item<long>() / (double)n, sd = Math.Sqrt(p * (1 - p) / n);
        Assert.InRange(share, 1 - p - 5 * sd, 1 - p + 5 * sd);
    }

    /// <summary>Neighbouring elements are independent: the share of adjacent kept pairs is (1 - p)^2, and the masks
    /// of two draws differ (a new seed each time).</summary>
    [Fact]
    public void ElementsAndDrawsAreIndependent()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        const int n = 1 << 20;
        const double p = 0.3;
        var first = DropoutMask.TryCreate(empty(n), p)!.ne(0).to(ScalarType.Float64);
        var second = DropoutMask.TryCreate(empty(n), p)!.ne(0).to(ScalarType.Float64);
        double pairs = (first[..(n - 1)] * first[1..]).mean().item<double>();
        Assert.InRange(pairs, 0.49 - 0.005, 0.49 + 0.005);
        double both = (first * second).mean().item<double>();                                    // independent draws
        Assert.InRange(both, 0.49 - 0.005, 0.49 + 0.005);
    }

    /// <summary>The masks follow libtorch's generator: the same seed gives the same masks (a resumed run's dropout).</summary>
    [Fact]
    public void ManualSeedRepeatsTheMasks()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var a = DropoutMask.TryCreate(empty(3, 1000, dtype: ScalarType.BFloat16), 0.1)!;
        manual_seed(7);
        var b = DropoutMask.TryCreate(empty(3, 1000, dtype: ScalarType.BFloat16), 0.1)!;
        Assert.True(a.eq(b).all().item<bool>());
    }

    /// <summary>Every width gives the same mask (an element's value depends on its index and the seed only), for 32-
    /// and 16-bit elements, whole registers and tails alike; so a run's dropout does not depend on the processor's
    /// vectors.</summary>
    [Fact]
    public void EveryWidthGivesTheSameMask()
    {
        const int n = 1000 + 37;
        const uint keep = 3_865_470_566, scale = 0x3F8E38E4;                                    // p = 0.1 in float32
        ulong seed = 0x9E3779B97F4A7C15;
        uint[] narrow = new uint[n], wide = new uint[n];
        DropoutMask.Fill<LanesVector>(narrow, keep, scale, seed);
        DropoutMask.Fill<Lanes512>(wide, keep, scale, seed);
        Assert.Equal(narrow, wide);
        Assert.Contains(0u, narrow);
        ushort[] narrow16 = new ushort[n], wide16 = new ushort[n];
        DropoutMask.Fill<LanesVector>(narrow16, keep, 0x3F8E, seed);
        DropoutMask.Fill<Lanes512>(wide16, keep, 0x3F8E, seed);
        Assert.Equal(narrow16, wide16);
        Assert.Equal(narrow.Select(v => v == 0), narrow16.Select(v => v == 0));
    }

    /// <summary>Integer tensors and probabilities outside (0, 1) are declined (the caller falls back to libtorch).</summary>
    [Fact]
    public void DeclinesWhatItCannotServe()
    {
        using var scope = NewDisposeScope();
        Assert.Null(DropoutMask.TryCreate(empty(10, dtype: ScalarType.Int64), 0.1));
        Assert.Null(DropoutMask.TryCreate(empty(10), 0));
        Assert.Null(DropoutMask.TryCreate(empty(10), 1));
    }

    /// <summary>The layer: identity in evaluation (the same tensor), dropout in training whose gradient is the mask
    /// (zero where dropped, 1 / (1 - p) where kept), as libtorch's dropout.</summary>
    [Fact]
    public void TheLayerDropsInTrainingOnlyAndBackpropagatesTheMask()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var layer = new Dropout(0.25);
        var x = ones(4, 256, requires_grad: true);
        layer.eval();
        Assert.Same(x, layer.forward(x));
        layer.train();
        var y = layer.forward(x);
        y.sum().backward();
        var kept = y.ne(0);
        Assert.True(y.masked_select(kept).eq(1 / 0.75f).all().item<bool>());
        Assert.True(x.grad!.eq(y).all().item<bool>(), "the gradient of x is the mask");
        Assert.InRange(kept.to(ScalarType.Float32).mean().item<float>(), 0.65f, 0.85f);
    }
}

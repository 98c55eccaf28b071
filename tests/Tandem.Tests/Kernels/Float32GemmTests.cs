using Tandem.Kernels;
using Tandem.Tests.TestSupport;
using static TorchSharp.torch;

namespace Tandem.Tests.Kernels;

public class Float32GemmTests
{
    /// <summary>The product equals libtorch's float32 <c>mm</c> to float32 rounding, for shapes that leave partial
    /// 6-row and 64-column blocks and several 256-deep slices, with each operand contiguous or the transpose of a
    /// contiguous matrix, written or added to what the result held.</summary>
    [Theory]
    [InlineData(1, 1, 1, false, false, false)]
    [InlineData(7, 300, 65, false, false, false)]
    [InlineData(97, 257, 130, true, false, false)]
    [InlineData(97, 257, 130, false, true, true)]
    [InlineData(200, 70, 1030, true, true, false)]
    [InlineData(130, 600, 64, false, true, true)]
    [InlineData(1030, 64, 200, false, false, true)]
    public void MatchesLibtorchsProduct(int m, int k, int n, bool transposeA, bool transposeB, bool accumulate)
    {
        using var scope = NewDisposeScope();
        manual_seed(m * 31 + k);
        var a = transposeA ? randn(k, m).t() : randn(m, k);
        var b = transposeB ? randn(n, k).t() : randn(k, n);
        var start = randn(m, n);
        var c = start.clone();

        Float32Gemm.Multiply(a, b, c, accumulate);

        var expected = accumulate ? start.add(a.mm(b)) : a.mm(b);
        double scale = Math.Sqrt(k);
        Assert.True(c.allclose(expected, rtol: 1e-5, atol: 1e-5 * scale),
            $"largest difference {c.sub(expected).abs().max().item<float>()}");
    }

    /// <summary>A result written over NaN holds none of it (the result is not read unless accumulating).</summary>
    [Fact]
    public void WritingIgnoresWhatTheResultHeld()
    {
        using var scope = NewDisposeScope();
        var a = randn(13, 20);
        var b = randn(20, 70);
        var c = full(13, 70, double.NaN);
        Float32Gemm.Multiply(a, b, c, accumulate: false);
        Assert.True(c.allclose(a.mm(b), rtol: 1e-5, atol: 1e-5));
    }

    /// <summary>Operands it cannot read in place (a strided slice, bf16) and mismatched shapes are refused.</summary>
    [Fact]
    public void RefusesWhatItCannotRead()
    {
        using var scope = NewDisposeScope();
        var slice = randn(8, 20).narrow(1, 0, 10);                                               // rows 20 apart, 10 long
        Assert.False(Float32Gemm.Readable(slice));
        Assert.False(Float32Gemm.Readable(randn(8, 8).to(ScalarType.BFloat16)));
        Assert.True(Float32Gemm.Readable(randn(8, 10).t()));
        Assert.Throws<ArgumentException>(() => Float32Gemm.Multiply(slice, randn(10, 4), empty(8, 4), false));
        Assert.Throws<ArgumentException>(() => Float32Gemm.Multiply(randn(8, 10), randn(9, 4), empty(8, 4), false));
    }
}

/// <summary>The thread count does not change a product (sums in the order of their depth on any thread).</summary>
[Collection(SequentialCollection.Name)]
public class Float32GemmThreadTests
{
    [Fact]
    public void OneThreadAndTwoGiveTheSameBits()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        int threads = get_num_threads();
        var a = randn(300, 500);
        var b = randn(500, 700);
        var (one, two) = (empty(300, 700), empty(300, 700));
        try
        {
            set_num_threads(1);
            Float32Gemm.Multiply(a, b, one, false);
            set_num_threads(2);
            Float32Gemm.Multiply(a, b, two, false);
        }
        finally { set_num_threads(threads); }
        Assert.True(one.equal(two).all().item<bool>());
    }
}

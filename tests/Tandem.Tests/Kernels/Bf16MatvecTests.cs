using Tandem.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Tests.Kernels;

public class Bf16MatvecTests
{
    /// <summary>The kernel's product is libtorch's float32 product of the same bf16 weight and bias, rounded once to
    /// bf16: for one to four rows, 2-D and 3-D inputs in float32 or bf16, and shapes whose columns and inner size
    /// leave remainders to the scalar tail (out not a multiple of 16, in not a multiple of 4). Without AVX-512 it declines.</summary>
    [Theory]
    [InlineData(1, 384, 384, true, false)]
    [InlineData(2, 37, 50, true, false)]
    [InlineData(3, 16, 16, false, false)]
    [InlineData(4, 130, 1003, true, true)]
    [InlineData(1, 3, 5, false, true)]
    public void MatchesTheFloat32ProductOfTheBf16Weight(int rows, int inDim, int outDim, bool withBias, bool bf16Input)
    {
        using var scope = NewDisposeScope();
        manual_seed(rows * 1000 + inDim);
        var weight = randn(inDim, outDim).to(ScalarType.BFloat16);                                 // [in, out]
        var bias = withBias ? randn(outDim) : null;
        var x = randn(rows, 1, inDim);                                                            // [rows, 1, in]
        if (bf16Input) x = x.to(ScalarType.BFloat16);

        var actual = Bf16Matvec.TryMultiply(x, weight, bias);

        if (!Bf16Matvec.Available)                                                                // no AVX-512: libtorch multiplies
        {
            Assert.Null(actual);
            return;
        }
        Assert.NotNull(actual);
        Assert.Equal(ScalarType.BFloat16, actual!.dtype);
        Assert.Equal(new long[] { rows, 1, outDim }, actual.shape);
        var exact = x.to(ScalarType.Float32).matmul(weight.to(ScalarType.Float32));               // [rows, 1, out]
        if (bias is not null) exact = exact + bias;
        var expected = exact.to(ScalarType.BFloat16).to(ScalarType.Float32);
        var got = actual.to(ScalarType.Float32);
        // float32 sums in another order than libtorch's can round to the neighbouring bf16 value: one step, 2^-7 relative.
        var allowed = exact.abs() * (1.0 / 128) + 1e-3;
        Assert.True((got - expected).abs().le(allowed).all().item<bool>(),
            $"largest difference {(got - expected).abs().max().item<float>()} (values up to {exact.abs().max().item<float>()})");
        Assert.True((got - exact).abs().mean().item<float>() < 0.01 * exact.abs().mean().item<float>());
    }

    /// <summary>Where the kernel does not apply it returns null and the caller multiplies: five rows (oneDNN's
    /// ground), a float32 weight, a weight that is not contiguous, a mismatched inner size, an input that records
    /// gradients.</summary>
    [Fact]
    public void DeclinesWhatItDoesNotMultiply()
    {
        using var scope = NewDisposeScope();
        var weight = randn(8, 32).to(ScalarType.BFloat16);                                        // [in, out]
        Assert.Null(Bf16Matvec.TryMultiply(randn(5, 8), weight, null));
        Assert.Null(Bf16Matvec.TryMultiply(randn(1, 8), randn(8, 32), null));
        Assert.Null(Bf16Matvec.TryMultiply(randn(1, 32), randn(8, 32).to(ScalarType.BFloat16).t(), null));
        Assert.Null(Bf16Matvec.TryMultiply(randn(1, 9), weight, null));
        Assert.Null(Bf16Matvec.TryMultiply(randn(1, 8, requires_grad: true), weight, null));
        Assert.Null(Bf16Matvec.TryMultiply(randn(1, 8), weight, randn(31)));
    }
}

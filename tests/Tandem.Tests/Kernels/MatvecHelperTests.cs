using Tandem.Kernels;
using static TorchSharp.torch;

namespace Tandem.Tests.Kernels;

public class MatvecHelperTests
{
    /// <summary>A bf16 weight <c>[in, out]</c>, its bits, rows of inputs and a bias row, from a seed.</summary>
    static (Tensor Weight, float[] Inputs, float[] Bias) Case(int rows, int inDim, int outDim, int seed)
    {
        manual_seed(seed);
        var weight = randn(inDim, outDim).to(ScalarType.BFloat16);
        var inputs = randn(rows * inDim).data<float>().ToArray();
        var bias = randn(outDim).data<float>().ToArray();
        return (weight, inputs, bias);
    }

    /// <summary>The product in halves, started from the bias repeated over the rows.</summary>
    static float[] Halves(Tensor weight, float[] inputs, float[] bias, int rows, bool helper)
    {
        int inDim = (int)weight.size(0), outDim = (int)weight.size(1);
        var sums = new float[rows * outDim + 7];                                               // longer than the product, as the kernel's buffers are
        for (int r = 0; r < rows; r++) bias.CopyTo(sums, r * outDim);
        MatvecHelper.Multiply(inputs, rows, inDim, weight, outDim, sums, helper);
        return sums[..(rows * outDim)];
    }

    /// <summary>The same bits with or without the helper and on every repetition (the halves and the order of the
    /// sums do not depend on which thread computed them), and the product itself: within float32 rounding of a
    /// float64 product of the same bf16 weight, for one to four rows and sizes that leave remainders.</summary>
    [Theory]
    [InlineData(1, 384, 384)]
    [InlineData(2, 1536, 384)]
    [InlineData(3, 262, 1003)]
    [InlineData(4, 384, 4099)]
    public void TheHelperChangesNoBit(int rows, int inDim, int outDim)
    {
        using var scope = NewDisposeScope();
        var (weight, inputs, bias) = Case(rows, inDim, outDim, seed: rows * 7 + inDim);
        var alone = Halves(weight, inputs, bias, rows, helper: false);
        for (int i = 0; i < 20; i++) Assert.Equal(alone, Halves(weight, inputs, bias, rows, helper: true));

        var exact = tensor(inputs).view(rows, inDim).to(ScalarType.Float64)
            .matmul(weight.to(ScalarType.Float64)).add(tensor(bias).to(ScalarType.Float64));      // [rows, out]
        var difference = (tensor(alone).view(rows, outDim).to(ScalarType.Float64) - exact).abs().max().item<double>();
        Assert.True(difference < 1e-3, $"largest difference {difference}");
    }

    /// <summary>The helper thread takes part: over repeated products of an output-layer-sized weight it computes
    /// halves (a helper that never woke would leave every product to the caller; the bits are the same either way,
    /// so only the count shows it). Needs two cores.</summary>
    [Fact]
    public void TheHelperTakesHalves()
    {
        if (!MatvecHelper.Available) return;
        using var scope = NewDisposeScope();
        var (weight, inputs, bias) = Case(1, 384, 30522, seed: 3);
        long before = MatvecHelper.HelperHalves;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        for (int i = 0; i < 1000 && MatvecHelper.HelperHalves == before && DateTime.UtcNow < deadline; i++)
            Halves(weight, inputs, bias, 1, helper: true);
        Assert.True(MatvecHelper.HelperHalves > before, "the helper computed no half in up to 1000 products");
    }

    /// <summary>Callers on several threads at once (the server's requests) each get their own product: one at a time
    /// has the helper, the others multiply alone, and every result has the bits of a product computed alone.</summary>
    [Fact]
    public void ConcurrentCallersGetTheirOwnProducts()
    {
        using var scope = NewDisposeScope();
        var cases = Enumerable.Range(0, 4).Select(i => Case(1 + i % 4, 384, 1536, seed: 100 + i)).ToArray();
        var expected = cases.Select((c, i) => Halves(c.Weight, c.Inputs, c.Bias, 1 + i % 4, helper: false)).ToArray();
        var failures = 0;
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var (weight, inputs, bias) = cases[i];
            for (int rep = 0; rep < 50; rep++)
                if (!Halves(weight, inputs, bias, 1 + i % 4, helper: true).AsSpan().SequenceEqual(expected[i]))
                    Interlocked.Increment(ref failures);
        });
        Assert.Equal(0, failures);
    }
}

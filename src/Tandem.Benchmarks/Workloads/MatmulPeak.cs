using System.Diagnostics;
using static TorchSharp.torch;

namespace Tandem.Benchmarks.Workloads;

/// <summary>The machine's matrix-product speed: 2048 x 2048 by 2048 x 2048 in one dtype, the ceiling the model
/// workloads' achieved GFLOP/s are compared with. In float32 the faster of libtorch's product (MKL's AVX2 path on
/// AMD CPUs) and Tandem's own (<see cref="Tandem.Kernels.Float32Gemm"/>, which Tandem's float32 layers use).</summary>
public static class MatmulPeak
{
    const int N = 2048;

    /// <summary>The best GFLOP/s of <paramref name="runs"/> products (after two warm-up products).</summary>
    public static double Gflops(ScalarType dtype, int runs = 8)
    {
        using var scope = NewDisposeScope();
        var a = randn(N, N).to(dtype);
        var b = randn(N, N).to(dtype);
        double best = Best(() => mm(a, b).Dispose(), runs);
        if (dtype == ScalarType.Float32 && Tandem.Kernels.Float32Gemm.Available)
        {
            var c = empty(N, N);
            best = Math.Min(best, Best(() => Tandem.Kernels.Float32Gemm.Multiply(a, b, c, accumulate: false), runs));
        }
        return 2.0 * N * N * N / best / 1e9;
    }

    /// <summary>The fastest of <paramref name="runs"/> runs of <paramref name="product"/>, after two warm-up runs.</summary>
    static double Best(Action product, int runs)
    {
        for (int i = 0; i < 2; i++) product();
        double best = double.MaxValue;
        for (int i = 0; i < Math.Max(1, runs); i++)
        {
            var clock = Stopwatch.StartNew();
            product();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }
}

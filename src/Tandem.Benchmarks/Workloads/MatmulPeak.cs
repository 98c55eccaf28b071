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
        double best = Repeat.BestSeconds(2, runs, () => mm(a, b).Dispose());
        if (dtype == ScalarType.Float32 && Tandem.Kernels.Float32Gemm.Available)
        {
            var c = empty(N, N);
            best = Math.Min(best, Repeat.BestSeconds(2, runs, () => Tandem.Kernels.Float32Gemm.Multiply(a, b, c, accumulate: false)));
        }
        return 2.0 * N * N * N / best / 1e9;
    }
}

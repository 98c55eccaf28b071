using System.Diagnostics;
using static TorchSharp.torch;

namespace Tandem.Benchmarks.Workloads;

/// <summary>The machine's matrix-product speed: 2048 x 2048 by 2048 x 2048 in one dtype, the ceiling the model
/// workloads' achieved GFLOP/s are compared with.</summary>
public static class MatmulPeak
{
    const int N = 2048;

    /// <summary>The best GFLOP/s of <paramref name="runs"/> products (after two warm-up products).</summary>
    public static double Gflops(ScalarType dtype, int runs = 8)
    {
        using var scope = NewDisposeScope();
        var a = randn(N, N).to(dtype);
        var b = randn(N, N).to(dtype);
        for (int i = 0; i < 2; i++) mm(a, b).Dispose();
        double best = double.MaxValue;
        for (int i = 0; i < Math.Max(1, runs); i++)
        {
            var clock = Stopwatch.StartNew();
            mm(a, b).Dispose();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return 2.0 * N * N * N / best / 1e9;
    }
}

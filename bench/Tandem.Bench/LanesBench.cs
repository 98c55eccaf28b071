using System.Globalization;
using Tandem.Benchmarks.Workloads;
using Tandem.Kernels;

namespace Tandem.Bench;

/// <summary>
/// Tandem's element-wise kernels at both vector widths in one process, alternating, medians, one thread: dropout masks
/// (32- and 16-bit elements), the AdamW update, bf16 rounding and widening, each at <see cref="LanesVector"/>'s width
/// (<c>Vector&lt;T&gt;</c>) and at <see cref="Lanes512"/>'s (AVX-512; emulated, and slow, where the runtime does not
/// accelerate it). The loss's kernel is timed whole by <c>-- loss</c> (with <c>DOTNET_PreferredVectorBitWidth=256</c>
/// for the narrow width).
/// </summary>
internal static class LanesBench
{
    public static void Run(string[] args)
    {
        int reps = BenchArgs.Int(args, "--reps", 20), n = BenchArgs.Int(args, "--elements", 8_000_000);
        Console.WriteLine($"Vector<float>: {LanesVector.Count} lanes; AVX-512 accelerated: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated} (kernels use it: {Lanes.Wide})");
        var (mask32, mask16) = (new uint[n], new ushort[n]);
        var random = new Random(1);
        var (param, grad, expAvg, expAvgSq) = (new float[n], new float[n], new float[n], new float[n]);
        for (int i = 0; i < n; i++) (param[i], grad[i]) = ((float)random.NextDouble(), (float)random.NextDouble() - 0.5f);
        var bits = new ushort[n];
        var step = new AdamWStep(0.999f, 0.9f, 0.999f, 1e-3f, 0.03f, 1e-8f, false);
        const uint keep = 3_865_470_566;                                                        // p = 0.1
        for (int round = 0; round < 3; round++)
        {
            Print("dropout mask, 32-bit", reps, n,
                () => DropoutMask.Fill<LanesVector>(mask32, keep, 1u, 7), () => DropoutMask.Fill<Lanes512>(mask32, keep, 1u, 7));
            Print("dropout mask, 16-bit", reps, n,
                () => DropoutMask.Fill<LanesVector>(mask16, keep, 1, 7), () => DropoutMask.Fill<Lanes512>(mask16, keep, 1, 7));
            Print("AdamW update", reps, n,
                () => AdamWUpdate.Apply<LanesVector>(param, grad, expAvg, expAvgSq, step), () => AdamWUpdate.Apply<Lanes512>(param, grad, expAvg, expAvgSq, step));
            Print("bf16 rounding", reps, n, () => Bf16Bits.Round<LanesVector>(grad, bits), () => Bf16Bits.Round<Lanes512>(grad, bits));
            Print("bf16 widening", reps, n, () => Bf16Bits.Widen<LanesVector>(bits, param), () => Bf16Bits.Widen<Lanes512>(bits, param));
        }
    }

    static void Print(string name, int reps, int n, Action narrow, Action wide)
    {
        double a = Repeat.MedianSeconds(2, reps, narrow), b = Repeat.MedianSeconds(2, reps, wide);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}, {n / 1e6:F0} M elements, 1 thread: {LanesVector.Count * 32}-bit {1000 * a:F2} ms, 512-bit {1000 * b:F2} ms ({a / b:F2}x)"));
    }
}

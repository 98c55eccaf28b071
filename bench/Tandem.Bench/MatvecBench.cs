using Tandem.Benchmarks.Workloads;
using Tandem.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Bench;

/// <summary>
/// One-row and few-row products (a cached decoding step at batch 1, beams or a batch) at the MiniLM decoder's shapes:
/// float32 against bf16 weights kept in bf16 (converted once), as GB/s of weight read; and, on the line above each,
/// three other float32 formulations of the same product (the weight stored <c>[out, in]</c>, the transposed product
/// <c>(W x^T)^T</c>, one row at a time); and Tandem's own bf16 kernel (<see cref="Bf16Matvec"/>, up to its
/// <see cref="Bf16Matvec.MaxRows"/> rows; it needs AVX-512). The same matrix again and again stays in cache, so the
/// last lines time a whole decoding step's products (six MiniLM decoder layers and the output layer, 52 MB of bf16
/// weight), where every weight comes from memory as in real decoding, by the kernel alone and with its helper thread
/// (<see cref="MatvecHelper"/>); and how fast one thread and two read memory.
/// </summary>
internal static class MatvecBench
{
    public static void Run(string[] args)
    {
        int reps = BenchArgs.Int(args, "--reps", 200);
        int threads = BenchArgs.Int(args, "--threads", 1);
        torch.set_num_threads(threads);
        Console.WriteLine($"one-row products x[rows, in] @ W[in, out], {reps} reps, {threads} libtorch thread(s); GB/s of weight read");
        Console.WriteLine($"{"shape",-22} {"rows",4} {"fp32 us",9} {"fp32 GB/s",10} {"bf16 us",9} {"bf16 GB/s",10} {"bf16 vs fp32",13} {"kernel us",10} {"kernel vs fp32",15}");
        using var noGrad = no_grad();
        foreach (var (input, output) in new[] { (384L, 384L), (384L, 1536L), (1536L, 384L), (384L, 30522L), (384L, 8000L) })
        foreach (var rows in new[] { 1L, 2L, 4L, 8L })
        {
            using var scope = NewDisposeScope();
            var w32 = randn(input, output);                                   // [in, out], contiguous
            var w16 = w32.to(ScalarType.BFloat16);
            var x32 = randn(rows, input);
            var x16 = x32.to(ScalarType.BFloat16);
            double t32 = Time(reps, () => x32.matmul(w32));
            double t16 = Time(reps, () => x16.matmul(w16));
            bool kernel = Bf16Matvec.Available && rows <= Bf16Matvec.MaxRows;                // else it declines: libtorch's
            double tk = kernel ? Time(reps, () => Bf16Matvec.TryMultiply(x32, w16, null)!) : double.NaN;
            double bytes = input * output * 4.0;
            var wt = w32.t().contiguous();                                    // [out, in]
            double tb = Time(reps, () => x32.matmul(wt.t()));
            double tc = Time(reps, () => wt.matmul(x32.t()).t());
            double td = Time(reps, () => cat(Enumerable.Range(0, (int)rows).Select(r => x32[r].unsqueeze(0).matmul(w32)).ToArray(), 0));
            Console.WriteLine($"   variants fp32 us: [out,in].t() {tb * 1e6:F1}  W^T x^T {tc * 1e6:F1}  row by row {td * 1e6:F1}");
            Console.WriteLine($"{input + "x" + output,-22} {rows,4} {t32 * 1e6,9:F1} {bytes / t32 / 1e9,10:F1} {t16 * 1e6,9:F1} {bytes / 2 / t16 / 1e9,10:F1} {t32 / t16,12:F2}x {(kernel ? $"{tk * 1e6,10:F1} {t32 / tk,14:F2}x" : $"{"-",10} {"-",15}")}");
        }
        if (Bf16Matvec.Available) foreach (var rows in new[] { 1L, 2L, 4L }) Step(rows, reps / 10);
        Bandwidth(Math.Max(3, reps / 20));
    }

    /// <summary>One cached decoding step's products at <paramref name="rows"/> rows: float32, libtorch bf16, the kernel.</summary>
    static void Step(long rows, int reps)
    {
        using var scope = NewDisposeScope();
        var shapes = new List<(long In, long Out)>();
        for (int layer = 0; layer < 6; layer++)
            shapes.AddRange([(384, 384), (384, 384), (384, 384), (384, 384), (384, 384), (384, 384), (384, 1536), (1536, 384)]);
        shapes.Add((384, 30522));
        var w32 = shapes.Select(s => randn(s.In, s.Out)).ToList();                           // [in, out]
        var w16 = w32.Select(w => w.to(ScalarType.BFloat16)).ToList();
        var x32 = shapes.Select(s => randn(rows, s.In)).ToList();
        var x16 = x32.Select(x => x.to(ScalarType.BFloat16)).ToList();
        double Products(Func<int, Tensor> product) => Time(reps, () =>
        {
            for (int j = 0; j < shapes.Count; j++) product(j).Dispose();
            return empty(0);
        });
        double t32 = Products(j => x32[j].matmul(w32[j])), t16 = Products(j => x16[j].matmul(w16[j]));
        double tk = Products(j => Bf16Matvec.TryMultiply(x32[j], w16[j], null)!);
        int threads = get_num_threads();
        set_num_threads(2);                                                                       // the kernel may use two: its helper takes halves
        double th = MatvecHelper.Available ? Products(j => Bf16Matvec.TryMultiply(x32[j], w16[j], null)!) : double.NaN;
        set_num_threads(threads);
        Console.WriteLine($"decoding step, {rows} row(s): fp32 {t32 * 1e3:F2} ms, bf16 {t16 * 1e3:F2} ms, kernel {tk * 1e3:F2} ms " +
            $"({t32 / tk:F2}x fp32, {t16 / tk:F2}x bf16), kernel with its helper {th * 1e3:F2} ms ({tk / th:F2}x the kernel alone)");
    }

    /// <summary>How fast one thread and two read memory: the sum of a 48 MB array (about a decoding step's bf16
    /// weights), each thread summing all of it, as GB/s in all; medians of <paramref name="reps"/>.</summary>
    static void Bandwidth(int reps)
    {
        var data = new float[48 << 18];                                                            // 48 MB
        new Random(0).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()));
        double sink = 0;
        double Sum() => System.Numerics.Tensors.TensorPrimitives.Sum<float>(data);
        double one = Repeat.MedianSeconds(2, reps, () => sink += Sum());
        double two = Repeat.MedianSeconds(2, reps, () =>
        {
            var other = new Thread(() => sink += Sum());
            other.Start();
            sink += Sum();
            other.Join();
        });
        double bytes = data.Length * 4.0;
        Console.WriteLine($"memory read, 48 MB: one thread {bytes / one / 1e9:F1} GB/s, two threads {2 * bytes / two / 1e9:F1} GB/s in all");
    }

    static double Time(int reps, Func<Tensor> product) => Repeat.MedianSeconds(reps / 4, reps, () =>
    {
        using var scope = NewDisposeScope();
        product();
    });
}

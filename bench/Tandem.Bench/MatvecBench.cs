using Tandem.Benchmarks.Workloads;
using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Bench;

/// <summary>
/// One-row and few-row products (a cached decoding step at batch 1, beams or a batch) at the MiniLM decoder's shapes:
/// float32 against bf16 weights kept in bf16 (converted once), as GB/s of weight read; and, on the line above each,
/// three other float32 formulations of the same product (the weight stored <c>[out, in]</c>, the transposed product
/// <c>(W x^T)^T</c>, one row at a time). A step is bound by how fast the weights stream from memory, so this is the
/// ceiling any decoding change works under.
/// </summary>
internal static class MatvecBench
{
    public static void Run(string[] args)
    {
        int reps = BenchArgs.Int(args, "--reps", 200);
        int threads = BenchArgs.Int(args, "--threads", 1);
        torch.set_num_threads(threads);
        Console.WriteLine($"one-row products x[rows, in] @ W[in, out], {reps} reps, {threads} libtorch thread(s); GB/s of weight read");
        Console.WriteLine($"{"shape",-22} {"rows",4} {"fp32 us",9} {"fp32 GB/s",10} {"bf16 us",9} {"bf16 GB/s",10} {"bf16 vs fp32",13}");
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
            double bytes = input * output * 4.0;
            var wt = w32.t().contiguous();                                    // [out, in]
            double tb = Time(reps, () => x32.matmul(wt.t()));
            double tc = Time(reps, () => wt.matmul(x32.t()).t());
            double td = Time(reps, () => cat(Enumerable.Range(0, (int)rows).Select(r => x32[r].unsqueeze(0).matmul(w32)).ToArray(), 0));
            Console.WriteLine($"   variants fp32 us: [out,in].t() {tb * 1e6:F1}  W^T x^T {tc * 1e6:F1}  row by row {td * 1e6:F1}");
            Console.WriteLine($"{input + "x" + output,-22} {rows,4} {t32 * 1e6,9:F1} {bytes / t32 / 1e9,10:F1} {t16 * 1e6,9:F1} {bytes / 2 / t16 / 1e9,10:F1} {t32 / t16,12:F2}x");
        }
    }

    static double Time(int reps, Func<Tensor> product) => Repeat.MedianSeconds(reps / 4, reps, () =>
    {
        using var scope = NewDisposeScope();
        product();
    });
}

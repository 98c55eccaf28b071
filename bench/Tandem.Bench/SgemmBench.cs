using Tandem.Benchmarks.Workloads;
using Tandem.Kernels;
using static TorchSharp.torch;

namespace Tandem.Bench;

/// <summary>
/// Float32 products at the training step's shapes (the MiniLM-shaped BERT2BERT, B16, 32 -> 64 tokens: a layer's
/// forward product and its two gradient products, the LM head's three): Tandem's kernel (<see cref="Float32Gemm"/>)
/// against libtorch's <c>mm</c> (MKL), as GFLOP/s, best of <c>--reps</c>. Each shape twice: the products back to back,
/// and each after a libtorch operation on two threads (<c>relu</c> of the result), as in a training step, where
/// libtorch's OpenMP workers spin on after it (<see cref="Tandem.Native.OpenMPSpin"/>) while the kernel's second
/// thread starts.
/// </summary>
internal static class SgemmBench
{
    public static void Run(string[] args)
    {
        int reps = BenchArgs.Int(args, "--reps", 20);
        set_num_threads(BenchArgs.Int(args, "--threads", 2));
        Console.WriteLine($"float32 products, {get_num_threads()} threads, best of {reps}; GOMP_SPINCOUNT={Environment.GetEnvironmentVariable("GOMP_SPINCOUNT")}; kernel available: {Float32Gemm.Available}");
        Console.WriteLine($"{"product",-26} {"m x k x n",-18} {"A, B",-10} {"kernel",8} {"libtorch",9} {"ratio",6} {"kernel*",8} {"libtorch*",10} {"ratio*",7}   (* after a libtorch operation)");
        foreach (var (name, m, k, n, aT, bT) in new (string, int, int, int, bool, bool)[]
        {
            ("query/key/value forward", 1024, 384, 384, false, false),
            ("query/key/value dx", 1024, 384, 384, false, true),
            ("query/key/value dW", 384, 1024, 384, true, false),
            ("feed-forward in forward", 1024, 384, 1536, false, false),
            ("feed-forward in dx", 1024, 1536, 384, false, true),
            ("feed-forward in dW", 384, 1024, 1536, true, false),
            ("feed-forward out forward", 1024, 1536, 384, false, false),
            ("feed-forward out dW", 1536, 1024, 384, true, false),
            ("LM head forward", 1024, 384, 30522, false, true),
            ("LM head dx", 1024, 30522, 384, false, false),
            ("LM head dW", 384, 1024, 30522, true, false),
        })
        {
            using var scope = NewDisposeScope();
            var a = aT ? randn(k, m).t() : randn(m, k);
            var b = bT ? randn(n, k).t() : randn(k, n);
            var c = empty(m, n);
            var expected = a.mm(b);
            double flops = 2.0 * m * k * n;
            double Gflops(Action product, bool afterLibtorch) =>
                flops / Repeat.BestSeconds(2, reps, product, afterLibtorch ? () => expected.relu().Dispose() : null) / 1e9;
            var (kernel, torch) = (Gflops(() => Float32Gemm.Multiply(a, b, c, false), false), Gflops(() => a.mm(b).Dispose(), false));
            var (kernelAfter, torchAfter) = (Gflops(() => Float32Gemm.Multiply(a, b, c, false), true), Gflops(() => a.mm(b).Dispose(), true));
            double error = c.sub(expected).abs().max().item<float>() / (expected.abs().max().item<float>() + 1);
            Console.WriteLine($"{name,-26} {$"{m}x{k}x{n}",-18} {(aT ? "Aᵀ" : "A") + ", " + (bT ? "Bᵀ" : "B"),-10} {kernel,8:F0} {torch,9:F0} {kernel / torch,5:F2}x {kernelAfter,8:F0} {torchAfter,10:F0} {kernelAfter / torchAfter,6:F2}x   (relative difference {error:E1})");
        }
    }
}

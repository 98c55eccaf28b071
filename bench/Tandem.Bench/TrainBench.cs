using System.Globalization;
using Tandem.Benchmarks;
using Tandem.Benchmarks.Workloads;
using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Bench;

/// <summary>Training throughput of MiniLM2MiniLM (random weights: 6 layers, hidden 384, 12 heads, inter 1536,
/// vocab 30522), batch 16, source 32, target 64 (<c>--batch</c>, <c>--source</c>, <c>--target</c> change them: at 1, 4
/// and 4 the step is nearly all its fixed cost, the weights' conversions, AdamW over every parameter, the embeddings'
/// gradients and the operations' dispatch): target tokens/s, achieved GFLOP/s against a matmul peak measured in the
/// same process, and peak RSS. With --bf16, training under a bf16 Autocast scope is timed too.</summary>
internal static class TrainBench
{
    /// <summary>The pairs of a step and their source and target tokens.</summary>
    readonly record struct Shape(int Batch, int Src, int Tgt);

    public static void Run(string[] args)
    {
        int steps = BenchArgs.Int(args, "--steps", 6), threads = BenchArgs.Int(args, "--threads", 2);
        var shape = new Shape(BenchArgs.Int(args, "--batch", 16), BenchArgs.Int(args, "--source", 32), BenchArgs.Int(args, "--target", 64));
        bool bf16 = args.Contains("--bf16") || args.Contains("--bf16-only");
        torch.set_num_threads(threads);
        torch.manual_seed(0);
        Console.WriteLine($"threads {threads} · GLIBC_TUNABLES={Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "(unset)"}");
        double peak = MatmulPeak.Gflops(ScalarType.Float32);
        Console.WriteLine(F($"matmul peak fp32 (2048x2048 mm): {peak:F1} GFLOP/s"));
        double flops = MatmulFlops.TrainStep(shape.Batch, shape.Src, shape.Tgt);
        Console.WriteLine(F($"model FLOPs per training step (3 x forward matmuls): {flops / 1e9:F1} GFLOP"));
        if (!args.Contains("--bf16-only")) Report("fp32", shape, TimeTraining(ScalarType.Float32, shape, steps), flops, peak);
        if (bf16)
        {
            double peak16 = MatmulPeak.Gflops(ScalarType.BFloat16);
            Console.WriteLine(F($"matmul peak bf16 (2048x2048 mm): {peak16:F1} GFLOP/s"));
            try { Report("bf16", shape, TimeTraining(ScalarType.BFloat16, shape, steps), flops, peak16); }
            catch (Exception e) { Console.WriteLine($"bf16 training: failed: {e.Message.Split('\n')[0]}"); }
        }
        Console.WriteLine($"peak RSS (VmHWM): {ProcessMemory.Peak()} MiB");
    }

    static void Report(string name, Shape shape, StepTimes r, double flops, double peak)
    {
        double gflops = flops / r.Seconds / 1e9;
        Console.WriteLine(F($"  {name}: forward {1000 * r.Forward:F0} ms · backward {1000 * r.Backward:F0} ms · optimizer and the rest {1000 * (r.Seconds - r.Forward - r.Backward):F0} ms"));
        Console.WriteLine(F($"{name}: {r.Seconds * 1000:F0} ms/step · {shape.Batch * shape.Tgt / r.Seconds:F0} target tok/s · {gflops:F1} GFLOP/s = {100 * gflops / peak:F0}% of matmul peak · loss {r.FirstLoss:F3} -> {r.LastLoss:F3}"));
    }

    static StepTimes TimeTraining(ScalarType dtype, Shape shape, int steps) => TrainingStep.Time(dtype, shape.Batch, shape.Src, shape.Tgt, 2, steps);

    static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

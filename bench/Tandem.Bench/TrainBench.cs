using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using Tandem.Modeling;
using Tandem.Models.EncoderDecoder;
using static TorchSharp.torch;

namespace Tandem.Bench;

/// <summary>Training throughput of MiniLM2MiniLM (random weights: 6 layers, hidden 384, 12 heads, inter 1536,
/// vocab 30522), batch 16, source 32, target 64: target tokens/s, achieved GFLOP/s against a matmul peak measured
/// in the same process, and peak RSS. With --bf16, training under a bf16 Autocast scope is timed too.</summary>
internal static class TrainBench
{
    const int Batch = 16, Src = 32, Tgt = 64;
    const int Hidden = MiniLmShape.Hidden, Layers = MiniLmShape.Layers, Inter = MiniLmShape.Intermediate, Vocab = MiniLmShape.Vocab;

    public static void Run(string[] args)
    {
        int steps = BenchArgs.Int(args, "--steps", 6), threads = BenchArgs.Int(args, "--threads", 2);
        bool bf16 = args.Contains("--bf16") || args.Contains("--bf16-only");
        torch.set_num_threads(threads);
        torch.manual_seed(0);
        Console.WriteLine($"threads {threads} · GLIBC_TUNABLES={Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "(unset)"}");
        double peak = MatmulPeak(ScalarType.Float32);
        Console.WriteLine(F($"matmul peak fp32 (2048x2048 mm): {peak:F1} GFLOP/s"));
        double flops = TrainFlops();
        Console.WriteLine(F($"model FLOPs per training step (3 x forward matmuls): {flops / 1e9:F1} GFLOP"));
        if (!args.Contains("--bf16-only")) Report("fp32", TimeTraining(ScalarType.Float32, steps), flops, peak);
        if (bf16)
        {
            double peak16 = MatmulPeak(ScalarType.BFloat16);
            Console.WriteLine(F($"matmul peak bf16 (2048x2048 mm): {peak16:F1} GFLOP/s"));
            try { Report("bf16", TimeTraining(ScalarType.BFloat16, steps), flops, peak16); }
            catch (Exception e) { Console.WriteLine($"bf16 training: failed: {e.Message.Split('\n')[0]}"); }
        }
        Console.WriteLine($"peak RSS (VmHWM): {Memory.Peak()} MiB");
    }

    static void Report(string name, (double Seconds, double Loss0, double Loss1) r, double flops, double peak)
    {
        double gflops = flops / r.Seconds / 1e9;
        Console.WriteLine(F($"{name}: {r.Seconds * 1000:F0} ms/step · {Batch * Tgt / r.Seconds:F0} target tok/s · {gflops:F1} GFLOP/s = {100 * gflops / peak:F0}% of matmul peak · loss {r.Loss0:F3} -> {r.Loss1:F3}"));
    }

    static (double Seconds, double Loss0, double Loss1) TimeTraining(ScalarType dtype, int steps)
    {
        torch.manual_seed(0);
        using var model = new EncoderDecoderModel(MiniLmShape.Config());
        // bf16: Autocast multiplies in bf16; parameters, LayerNorm and the loss stay float32 (master weights).
        using var precision = Autocast.Enter(dtype == ScalarType.Float32 ? null : dtype);
        using var opt = torch.optim.AdamW(model.parameters(), 1e-4);
        model.train();
        var ids = torch.randint(1000, Vocab, [Batch, Src], dtype: ScalarType.Int64);          // [batch, src]
        var labels = torch.randint(1000, Vocab, [Batch, Tgt], dtype: ScalarType.Int64);       // [batch, tgt]
        double first = 0, last = 0, seconds = 0, fwd = 0, bwd = 0;
        int warm = 2;
        for (int s = 0; s < warm + steps; s++)
        {
            var clock = Stopwatch.StartNew();
            double f, b;
            using (var scope = NewDisposeScope())
            {
                opt.zero_grad();
                using var output = model.forward(new Seq2SeqInput { InputIds = ids, Labels = labels });
                last = output.Loss!.item<float>();
                f = clock.Elapsed.TotalSeconds;
                output.Loss!.backward();
                b = clock.Elapsed.TotalSeconds;
                opt.step();
                if (s == 0) first = last;
            }
            if (s >= warm) (seconds, fwd, bwd) = (seconds + clock.Elapsed.TotalSeconds, fwd + f, bwd + b - f);
        }
        Console.WriteLine(F($"  {dtype}: forward {1000 * fwd / steps:F0} ms · backward {1000 * bwd / steps:F0} ms · optimizer and the rest {1000 * (seconds - fwd - bwd) / steps:F0} ms"));
        return (seconds / steps, first, last);
    }

    internal static double MatmulPeak(ScalarType dtype)
    {
        using var a = torch.randn(2048, 2048).to(dtype);
        using var b = torch.randn(2048, 2048).to(dtype);
        for (int i = 0; i < 2; i++) torch.mm(a, b).Dispose();
        int reps = 8;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++) torch.mm(a, b).Dispose();
        return 2.0 * 2048 * 2048 * 2048 * reps / clock.Elapsed.TotalSeconds / 1e9;
    }

    /// <summary>Matmul FLOPs of one forward pass (2 per multiply-add), times 3 for forward + backward.</summary>
    static double TrainFlops()
    {
        double encTok = Batch * Src, decTok = Batch * Tgt, h = Hidden;
        double encLayer = encTok * (4 * h * h + 2 * h * Inter) * 2 + Batch * 2.0 * Src * Src * h * 2;
        double decSelf = decTok * (4 * h * h + 2 * h * Inter) * 2 + Batch * 2.0 * Tgt * Tgt * h * 2;
        double decCross = decTok * 2 * h * h * 2 + encTok * 2 * h * h * 2 + Batch * 2.0 * Tgt * Src * h * 2;
        double head = decTok * (h * h + h * Vocab) * 2;
        return 3 * (Layers * (encLayer + decSelf + decCross) + head);
    }

    static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

using System.Globalization;
using System.Text.Json;
using Tandem.Benchmarks;
using Tandem.Benchmarks.Workloads;
using Tandem.Training;

namespace Tandem.Bench;

/// <summary>Masked-LM pre-training throughput of a MiniLM-shaped BERT (6 layers, hidden 384, 12 heads, vocab 30522,
/// random weights) through <c>Trainer.Run</c> itself (masking, packing, step loop): 16 blocks of 128 ids a step on a
/// corpus of random words. Prints tokens/s and achieved GFLOP/s against the bf16 (or fp32) matmul peak measured in
/// the same process, and the resident memory early and late in the run (it should stay flat).</summary>
internal static class PretrainBench
{
    const int Blocks = 16, BlockSize = 128;
    const int Hidden = MiniLmShape.Hidden, Layers = MiniLmShape.Layers, Inter = MiniLmShape.Intermediate, Vocab = MiniLmShape.Vocab;

    public static void Run(string[] args)
    {
        int steps = BenchArgs.Int(args, "--steps", 40), threads = BenchArgs.Int(args, "--threads", 2);
        bool bf16 = !args.Contains("--fp32");
        TorchSharp.torch.set_num_threads(threads);
        double peak = MatmulPeak.Gflops(bf16 ? TorchSharp.torch.ScalarType.BFloat16 : TorchSharp.torch.ScalarType.Float32);
        Console.WriteLine(F($"threads {threads} · matmul peak {(bf16 ? "bf16" : "fp32")} (2048x2048 mm): {peak:F1} GFLOP/s"));
        var dir = Path.Combine(Path.GetTempPath(), "tandem-bench-pretrain-" + Environment.ProcessId);
        try
        {
            var config = Write(dir, steps, bf16);
            var rss = new List<(int Step, long MiB)>();
            TrainProgress? last = null;
            var result = Trainer.Run(config, new TrainOptions
            {
                Progress = new Sink(p => { last = p; if (p.Step == 2 || p.Step == steps / 2 || p.Step == steps) rss.Add((p.Step, ProcessMemory.Rss())); }),
            });
            double flops = StepFlops(), tokPerSec = last?.TokensPerSecond ?? 0, secPerStep = Blocks * BlockSize / Math.Max(tokPerSec, 1e-9);
            double gflops = flops / secPerStep / 1e9;
            Console.WriteLine(F($"{result.Steps} steps of {Blocks}x{BlockSize} tokens: {tokPerSec:F0} tokens/s · {secPerStep * 1000:F0} ms/step · {flops / 1e9:F1} GFLOP/step (3 x forward matmuls) · {gflops:F1} GFLOP/s = {100 * gflops / peak:F0}% of the matmul peak"));
            Console.WriteLine("RSS: " + string.Join(" · ", rss.Select(r => $"step {r.Step} {r.MiB} MiB")) + $" · peak (VmHWM) {ProcessMemory.Peak()} MiB");
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }

    static TrainConfig Write(string dir, int steps, bool bf16)
    {
        Directory.CreateDirectory(Path.Combine(dir, "tok"));
        File.WriteAllLines(Path.Combine(dir, "tok", "vocab.txt"),
            ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", .. Enumerable.Range(0, Vocab - 5).Select(i => "w" + i)]);
        var bert = new { model_type = "bert", vocab_size = Vocab, hidden_size = Hidden, num_hidden_layers = Layers, num_attention_heads = MiniLmShape.Heads, intermediate_size = Inter };
        File.WriteAllText(Path.Combine(dir, "bert.json"), JsonSerializer.Serialize(bert));
        var rng = new Random(0);
        int lines = steps * Blocks * BlockSize / 60 + 100;
        File.WriteAllLines(Path.Combine(dir, "train.txt"), Enumerable.Range(0, lines).Select(_ => string.Join(' ', Enumerable.Range(0, 58).Select(_ => "w" + rng.Next(Vocab - 5)))));
        return TrainConfigLoader.Parse(JsonSerializer.Serialize(new
        {
            threads = 0, precision = bf16 ? "bf16" : "fp32",
            objective = new { type = "mlm", block_size = BlockSize },
            model = new { encoder = "random:" + Path.Combine(dir, "bert.json"), tokenizer = Path.Combine(dir, "tok") },
            data = new { splits = new Dictionary<string, string> { ["train"] = Path.Combine(dir, "train.txt") } },
            optimizer = new { lr = 1e-4 },
            schedule = new { max_steps = steps },
            batching = new { max_batch_size = Blocks },
            output = new { dir = Path.Combine(dir, "run"), plots = false, save_every_steps = 0, log_every_steps = 10 },
        }));
    }

    /// <summary>Matmul FLOPs of one step (2 per multiply-add, x3 for forward + backward): the layers on every token,
    /// the head's transform on the masked 15 % and its output layer on them.</summary>
    static double StepFlops()
    {
        double tokens = Blocks * BlockSize, masked = 0.15 * tokens, h = Hidden;
        double layer = tokens * (4 * h * h + 2 * h * Inter) * 2 + Blocks * 2.0 * BlockSize * BlockSize * h * 2;
        return 3 * (Layers * layer + masked * (h * h + h * Vocab) * 2);
    }

    sealed class Sink(Action<TrainProgress> report) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value) => report(value);
    }

    static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

using System.Diagnostics;
using Tandem.Kernels;
using Tandem.Modeling;
using Tandem.Models.EncoderDecoder;
using TorchSharp;
using static TorchSharp.torch;
using Tandem.Benchmarks;
using Tandem.Benchmarks.Workloads;

namespace Tandem.Bench;

/// <summary>
/// Generation speed and memory of a MiniLM-shaped BERT2BERT (random weights): source 32 tokens, exactly 64 new
/// tokens (min = max new tokens, so EOS never ends a row early); greedy at batch 1 and 8 and beam 4 at batch 1,
/// each with and without the key/value cache; then many successive generate calls to show memory stays flat.
/// Usage: <c>generate [--reps N] [--calls N] [--call-tokens N] [--threads N] [--bf16]</c> (<c>--bf16</c>: products in
/// bf16, as <c>--precision bf16</c>; <c>TANDEM_BF16_MATVEC=0</c> then compares without the few-row kernel).
/// </summary>
internal static class GenerationBenchmark
{
    const int SourceLength = 32, NewTokens = 64;

    sealed record Case(string Name, int Batch, int Beams);

    public static int Run(string[] args)
    {
        int reps = BenchArgs.Int(args, "--reps", 3), calls = BenchArgs.Int(args, "--calls", 1000), callTokens = BenchArgs.Int(args, "--call-tokens", 8);
        bool bf16 = args.Contains("--bf16");
        torch.set_num_threads(BenchArgs.Int(args, "--threads", Environment.ProcessorCount));
        Console.WriteLine($"torch threads: {torch.get_num_threads()} (ProcessorCount {Environment.ProcessorCount}), " +
            $"interop threads: {torch.get_num_interop_threads()}");
        Console.WriteLine($"GLIBC_TUNABLES={Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "(unset)"}");
        Console.WriteLine(bf16 ? $"bf16 products (as --precision bf16); few-row kernel {(Bf16Matvec.Available ? "on" : "off")}" : "float32");
        using var precision = Autocast.Enter(bf16 ? ScalarType.BFloat16 : null);
        Console.WriteLine($"RSS at start: {ProcessMemory.Rss()} MB");

        torch.manual_seed(0);
        using var model = new EncoderDecoderModel(MiniLmShape.Config());
        model.eval();
        Console.WriteLine($"model: MiniLM-shaped BERT2BERT, {model.parameters().Sum(p => p.numel()) / 1e6:F1}M parameters; " +
            $"RSS after build: {ProcessMemory.Rss()} MB");

        Case[] cases = [new("greedy", 1, 1), new("greedy", 8, 1), new("beam 4", 1, 4)];
        var results = new List<string>();
        Console.WriteLine();
        Console.WriteLine($"source {SourceLength} tokens, {NewTokens} new tokens, {reps} timed runs per row after 1 warm-up run");
        Console.WriteLine($"{"case",-8} {"batch",5} {"cache",5} {"ms/run",9} {"tokens/s",9} {"ms/step",8} " +
            $"{"peak MB",8} {"RSS before",10} {"RSS after",9} {"speed-up",8}");
        foreach (var c in cases)
        {
            double cachedMs = 0;
            foreach (bool useCache in new[] { true, false })
            {
                using var ids = randint(1000, 30000, [c.Batch, SourceLength], dtype: ScalarType.Int64); // [batch, src]
                using var mask = ones_like(ids);                                                        // [batch, src]
                long rssBefore = ProcessMemory.Rss();
                bool peakReset = ProcessMemory.ResetPeak();
                Decoding.Run(model, ids, mask, c.Beams, NewTokens, useCache);                           // warm-up
                var watch = Stopwatch.StartNew();
                for (int i = 0; i < reps; i++) Decoding.Run(model, ids, mask, c.Beams, NewTokens, useCache);
                double ms = watch.Elapsed.TotalMilliseconds / reps;
                long peak = ProcessMemory.Peak(), rssAfter = ProcessMemory.Rss();
                if (useCache) cachedMs = ms;
                string speedUp = useCache ? "" : $"{ms / cachedMs:F1}x";
                Console.WriteLine($"{c.Name,-8} {c.Batch,5} {(useCache ? "yes" : "no"),5} {ms,9:F1} " +
                    $"{c.Batch * NewTokens / (ms / 1000),9:F1} {ms / NewTokens,8:F2} {peak,7}{(peakReset ? " " : "*")} " +
                    $"{rssBefore,10} {rssAfter,9} {speedUp,8}");
            }
        }
        Console.WriteLine("tokens/s = batch x 64 new tokens / time per run (beam 4 counts the returned sequence only);");
        Console.WriteLine("peak MB = VmHWM, reset before each row via /proc/self/clear_refs (* = reset failed, peak since start);");
        Console.WriteLine("speed-up = uncached time / cached time.");
        Console.WriteLine();
        SuccessiveCalls(model, calls, callTokens);
        return 0;
    }

    /// <summary>Runs <paramref name="calls"/> generate calls (alternating greedy batch 2 and beam 4 batch 1) and
    /// prints live tensors and RSS at the start, every fifth of the way, and at the end.</summary>
    static void SuccessiveCalls(EncoderDecoderModel model, int calls, int tokens)
    {
        Console.WriteLine($"{calls} successive generate calls ({tokens} new tokens; greedy batch 2 and beam 4 batch 1, alternating):");
        using var ids = randint(1000, 30000, [2, SourceLength], dtype: ScalarType.Int64);             // [2, src]
        using var mask = ones_like(ids);                                                               // [2, src]
        using var one = ids[..1];                                                                     // [1, src]
        using var oneMask = mask[..1];                                                                // [1, src]
        GenerateAlternating(model, ids, mask, one, oneMask, 0, tokens);
        GenerateAlternating(model, ids, mask, one, oneMask, 1, tokens);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long liveStart = LiveTensors(), rssStart = ProcessMemory.Rss();
        Console.WriteLine($"{"calls",6} {"live tensors",12} {"RSS MB",7} {"VmHWM MB",8}");
        Console.WriteLine($"{0,6} {liveStart,12} {rssStart,7} {ProcessMemory.Peak(),8}");
        var watch = Stopwatch.StartNew();
        for (int i = 1; i <= calls; i++)
        {
            GenerateAlternating(model, ids, mask, one, oneMask, i, tokens);
            if (i % Math.Max(1, calls / 5) == 0 || i == calls)
                Console.WriteLine($"{i,6} {LiveTensors(),12} {ProcessMemory.Rss(),7} {ProcessMemory.Peak(),8}");
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long liveEnd = LiveTensors();
        Console.WriteLine($"live tensors: {liveStart} at start, {liveEnd} at end ({(liveEnd == liveStart ? "flat" : "LEAK")}); " +
            $"RSS {rssStart} MB -> {ProcessMemory.Rss()} MB; {watch.Elapsed.TotalSeconds:F1} s");
    }

    static void GenerateAlternating(EncoderDecoderModel model, Tensor ids, Tensor mask, Tensor one, Tensor oneMask,
        int i, int tokens)
    {
        if (i % 2 == 0) Decoding.Run(model, ids, mask, 1, tokens);
        else Decoding.Run(model, one, oneMask, 4, tokens);
    }

    /// <summary>Tensors created and not yet disposed on this thread (TorchSharp's dispose statistics).</summary>
    static long LiveTensors() => DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;
}

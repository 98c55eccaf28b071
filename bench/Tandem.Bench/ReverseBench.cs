using System.Diagnostics;
using System.Globalization;
using Tandem.Tests.Training;
using Tandem.Training;

namespace Tandem.Bench;

/// <summary>Wall time of the tiny reversal task the test suite trains (tests/Tandem.Tests/Training/TinyTask.cs, the
/// same file compiled in here): a random 2-layer BERT2BERT, 400 steps, then exact match on 100 dev sequences. The
/// test asserts that it learns; the time it takes is this benchmark's, since a shared machine makes any bound on
/// it flaky.</summary>
internal static class ReverseBench
{
    public static void Run(string[] args)
    {
        int reps = BenchArgs.Int(args, "--reps", 1);
        var dir = Path.Combine(Path.GetTempPath(), "tandem-bench-reverse-" + Environment.ProcessId);
        try
        {
            TinyTask.Write(dir);
            for (int r = 0; r < reps; r++)
            {
                var clock = Stopwatch.StartNew();
                var result = Trainer.Run(TinyTask.Config(dir, "run" + r, "evaluation.every_steps=400"));
                clock.Stop();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"reverse task, rep {r + 1}: {result.Steps} steps in {clock.Elapsed.TotalSeconds:F1} s ({result.Steps / clock.Elapsed.TotalSeconds:F1} steps/s, evaluation included), exact match {result.LastEvaluation?.ExactMatch:P1}"));
            }
            Console.WriteLine($"peak RSS (VmHWM): {Tandem.Benchmarks.ProcessMemory.Peak()} MiB");
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }
}

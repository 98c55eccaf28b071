using System.Diagnostics;

namespace Tandem.Benchmarks.Workloads;

/// <summary>Times a workload: warm-up runs first (JIT, first-touch memory, libtorch's kernel choice), then timed runs.</summary>
public static class Repeat
{
    /// <summary>The median seconds of <paramref name="runs"/> timed calls of <paramref name="work"/>, after
    /// <paramref name="warmUp"/> untimed ones.</summary>
    public static double MedianSeconds(int warmUp, int runs, Action work) => Median(Seconds(warmUp, runs, work, null));

    /// <summary>The fewest seconds of <paramref name="runs"/> timed calls of <paramref name="work"/>, after
    /// <paramref name="warmUp"/> untimed ones; <paramref name="before"/>, when given, runs untimed before each call.</summary>
    public static double BestSeconds(int warmUp, int runs, Action work, Action? before = null) => Seconds(warmUp, runs, work, before).Min();

    /// <summary>The seconds of each of <paramref name="runs"/> (at least one) timed calls of <paramref name="work"/>,
    /// after <paramref name="warmUp"/> untimed ones; <paramref name="before"/> runs untimed before every call.</summary>
    static double[] Seconds(int warmUp, int runs, Action work, Action? before)
    {
        for (int i = 0; i < warmUp; i++)
        {
            before?.Invoke();
            work();
        }
        var seconds = new double[Math.Max(1, runs)];
        for (int i = 0; i < seconds.Length; i++)
        {
            before?.Invoke();
            var clock = Stopwatch.StartNew();
            work();
            seconds[i] = clock.Elapsed.TotalSeconds;
        }
        return seconds;
    }

    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}

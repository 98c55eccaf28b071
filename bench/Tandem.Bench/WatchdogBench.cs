using System.Globalization;
using Tandem.Tasks.Sql;

namespace Tandem.Bench;

/// <summary>How soon after its time limit the read-only executor's watchdog stops a query that never ends (an endless
/// recursive CTE on the GeoQuery database): the limit, then the elapsed time over repetitions (min, median, max). The
/// executor never stops a query before its limit; this times how late after it the stop comes on this machine.</summary>
internal static class WatchdogBench
{
    public static void Run(string[] args)
    {
        int reps = BenchArgs.Int(args, "--reps", 20), limit = BenchArgs.Int(args, "--limit-ms", 300);
        var db = args.SkipWhile(a => a != "--db").Skip(1).FirstOrDefault()
                 ?? Path.Combine("..", "shared", "data", "text2sql-data", "derived", "geography-v4.sqlite");
        using var database = ReadOnlyDatabase.Open(db, new ExecutionLimits { TimeLimitMs = limit });
        var elapsed = new List<double>();
        for (int i = 0; i < reps; i++)
        {
            var r = database.Execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c");
            if (!r.TimedOut) throw new InvalidOperationException($"repetition {i + 1}: the query was not stopped by the time limit ({r.Error})");
            elapsed.Add(r.Elapsed.TotalMilliseconds);
        }
        elapsed.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"limit {limit} ms · {reps} endless queries stopped after min {elapsed[0]:F1} · median {elapsed[reps / 2]:F1} · max {elapsed[^1]:F1} ms (overshoot median {elapsed[reps / 2] - limit:F1} ms)"));
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Tandem.Bench;

/// <summary>
/// Training step time under each memory allocator `tandem` can start with: glibc's malloc as it is, glibc with the
/// <c>glibc.malloc.hugetlb=1</c> tunable, and tcmalloc (<c>LD_PRELOAD</c>, where installed). An allocator is fixed
/// when a process starts, so each runs the <c>train --bf16-only</c> benchmark in a child process of its own; the
/// children run interleaved, <c>--reps</c> rounds, and the medians are compared with plain glibc.
/// </summary>
internal static class MallocBench
{
    const string Tcmalloc = "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4";

    public static void Run(string[] args)
    {
        int reps = BenchArgs.Int(args, "--reps", 3), steps = BenchArgs.Int(args, "--steps", 4);
        var setups = new List<(string Name, Dictionary<string, string> Env)>
        {
            ("glibc", new() { ["GLIBC_TUNABLES"] = "" }),
            ("glibc + hugetlb=1", new() { ["GLIBC_TUNABLES"] = "glibc.malloc.hugetlb=1" }),
        };
        if (File.Exists(Tcmalloc)) setups.Add(("tcmalloc", new() { ["GLIBC_TUNABLES"] = "glibc.malloc.hugetlb=1", ["LD_PRELOAD"] = Tcmalloc }));
        else Console.WriteLine($"{Tcmalloc} not found (apt-get install libtcmalloc-minimal4); timing glibc only");
        var times = setups.ToDictionary(s => s.Name, _ => new List<double>());
        for (int r = 0; r < reps; r++)
            foreach (var (name, env) in setups)
            {
                double ms = Child(env, steps);
                times[name].Add(ms);
                Console.WriteLine(F($"round {r + 1} · {name}: {ms:F0} ms/step"));
            }
        double baseline = Median(times["glibc"]);
        foreach (var (name, _) in setups)
            Console.WriteLine(F($"{name}: median {Median(times[name]):F0} ms/step · {baseline / Median(times[name]):F2}x the speed of plain glibc"));
    }

    static double Child(Dictionary<string, string> env, int steps)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false, RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") start.ArgumentList.Add(typeof(MallocBench).Assembly.Location);
        foreach (var a in new[] { "train", "--bf16-only", "--steps", steps.ToString(CultureInfo.InvariantCulture) }) start.ArgumentList.Add(a);
        start.Environment.Remove("LD_PRELOAD");
        foreach (var (k, v) in env) start.Environment[k] = v;
        using var p = Process.Start(start)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var m = Regex.Match(output, @"^bf16: ([0-9.]+) ms/step", RegexOptions.Multiline);
        if (!m.Success) throw new InvalidOperationException("the child benchmark printed no bf16 step time:\n" + output);
        return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

using System.Diagnostics;

namespace Tandem.Tests.TestSupport;

/// <summary>Runs the built <c>tandem</c> executable as a user types it, and captures what it prints.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The CLI's output folder for the same configuration as this test assembly.</summary>
    public static string Executable
    {
        get
        {
            var testBin = AppContext.BaseDirectory;
            var testProject = typeof(CliRunner).Assembly.GetName().Name!;      // Tandem.Tests, or a project that links this file
            var cliBin = testBin.Replace(Path.Combine("tests", testProject), Path.Combine("src", "Tandem.Cli"));
            var exe = Path.Combine(cliBin, "tandem");
            if (!File.Exists(exe)) throw new FileNotFoundException("build src/Tandem.Cli first", exe);
            return exe;
        }
    }

    public static Result RunWithInput(string? stdin, params string[] args) => Execute(stdin, null, args);

    /// <summary>Runs like <see cref="RunWithInput"/> and returns the peak resident memory of the process and its
    /// children (the largest <c>VmHWM</c> of /proc, sampled every 10 ms while it runs; growth in its last 10 ms can
    /// be missed).</summary>
    public static (Result Result, long PeakRssBytes) RunMeasuringMemory(string? stdin, params string[] args)
    {
        long peak = 0;
        var result = Execute(stdin, p =>
        {
            var clock = Stopwatch.StartNew();
            while (!p.WaitForExit(10) && clock.Elapsed < TimeSpan.FromMinutes(5)) peak = Math.Max(peak, PeakRss(p.Id));
        }, args);
        return (result, peak);
    }

    static Result Execute(string? stdin, Action<Process>? whileRunning, string[] args)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["TANDEM_CACHE"] = MiniLm.Cache;
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        var input = Task.Run(() =>
        {
            try
            {
                if (stdin is not null) p.StandardInput.Write(stdin);
                p.StandardInput.Close();
            }
            catch (IOException) { }                 // the command ended without reading all of its input
        });
        whileRunning?.Invoke(p);
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new TimeoutException("tandem " + string.Join(' ', args)); }
        input.Wait();
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The largest VmHWM (bytes) of <paramref name="pid"/> and its descendants; 0 for what has exited.</summary>
    static long PeakRss(int pid)
    {
        long peak = 0;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    peak = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
            foreach (var child in File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries))
                peak = Math.Max(peak, PeakRss(int.Parse(child)));
        }
        catch (IOException) { }                     // it exited between two reads
        return peak;
    }

    public static Result Run(params string[] args) => RunWithInput(null, args);

    /// <summary>Asserts a failure the way users should see it: non-zero exit, one line on stderr, no stack trace.</summary>
    public static void AssertOneLineError(Result r, params string[] fragments)
    {
        Assert.NotEqual(0, r.ExitCode);
        var lines = r.StderrLines.Where(l => !l.StartsWith("warning:", StringComparison.Ordinal)).ToArray();
        Assert.True(lines.Length == 1, "expected one error line, got:\n" + r.Stderr);
        Assert.StartsWith("error: ", lines[0]);
        Assert.DoesNotContain("   at ", r.Stderr);
        foreach (var f in fragments) Assert.Contains(f, lines[0]);
    }
}

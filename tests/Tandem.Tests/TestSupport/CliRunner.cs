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

    public static Result RunWithInput(string? stdin, params string[] args)
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
        if (stdin is not null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new TimeoutException("tandem " + string.Join(' ', args)); }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
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

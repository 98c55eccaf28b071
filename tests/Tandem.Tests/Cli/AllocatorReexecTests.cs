using System.Diagnostics;
using Tandem.Tests.Tasks.Sql;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Cli;

/// <summary><c>tandem</c> re-executes itself with the fast allocator for the commands that run long, and answers
/// <c>ask</c> in the process it started in (FastMalloc: the second start cost more than the allocator saved).</summary>
public class AllocatorReexecTests
{
    /// <summary>What <c>TANDEM_TIMING=1 tandem ARGS</c> prints to stderr, started as from a shell without the
    /// allocator variables this test host may carry.</summary>
    static string Timing(params string[] args)
    {
        var start = new ProcessStartInfo(CliRunner.Executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var name in new[] { "LD_PRELOAD", "GLIBC_TUNABLES", "TCMALLOC_RELEASE_RATE", "TANDEM_REEXEC", "TANDEM_NO_REEXEC", "TANDEM_MALLOC" }) start.Environment.Remove(name);
        start.Environment["TANDEM_TIMING"] = "1";
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)));
        Assert.True(p.ExitCode == 0, stderr + stdout.Result);
        return stderr;
    }

    [Fact]
    public void AskRunsInTheProcessItStartedIn()
    {
        var stderr = Timing("ask", "--db", SqlData.GeographyDb, "--sql", "SELECT 1", "--json");
        Assert.Contains("timing: runtime started", stderr);
        Assert.Matches(@"timing: runtime started .*\+\d+ methods compiled in \d+ ms\)", stderr);      // the compiler's share of a phase
        Assert.DoesNotContain("runtime started again", stderr);
    }

    [Fact]
    public void OtherCommandsReexecuteWithTheAllocator()
    {
        var stderr = Timing("--verbose", "info", "--help");
        Assert.Contains("runtime started again (execve", stderr);
        Assert.Contains("glibc.malloc.hugetlb=1", stderr);
        if (File.Exists("/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4"))                 // the build installs it where it can
        {
            Assert.Contains("LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4", stderr);
            Assert.Contains("TCMALLOC_RELEASE_RATE=0", stderr);                                  // freed gradients stay mapped
        }
    }
}

using System.Diagnostics;

namespace Tandem.Cli.Infrastructure;

/// <summary>
/// libtorch allocates large tensors afresh at every step, and fresh pages are slow on many VMs. glibc's
/// <c>glibc.malloc.hugetlb=1</c> tunable (transparent huge pages for malloc) makes training steps 1.5-2.5x faster
/// there, but glibc reads tunables only at process start. So <c>tandem</c> re-runs itself once with the tunable set,
/// unless it is already set or <c>TANDEM_NO_REEXEC=1</c>.
/// </summary>
internal static class FastMalloc
{
    const string Tunable = "glibc.malloc.hugetlb=1";
    const string Marker = "TANDEM_REEXEC";

    /// <summary>Returns the child's exit code after re-running, or null to go on in this process.</summary>
    public static int? ReexecIfNeeded(string[] args)
    {
        if (!OperatingSystem.IsLinux()) return null;
        var tunables = Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "";
        if (tunables.Contains("glibc.malloc.hugetlb", StringComparison.Ordinal)) return null;
        if (Environment.GetEnvironmentVariable(Marker) is not null) return null;
        if (Environment.GetEnvironmentVariable("TANDEM_NO_REEXEC") is "1" or "true") return null;
        var self = Environment.ProcessPath;
        if (self is null) return null;
        var start = new ProcessStartInfo(self) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            var entry = typeof(FastMalloc).Assembly.Location;
            if (string.IsNullOrEmpty(entry)) return null;
            start.ArgumentList.Add(entry);
        }
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["GLIBC_TUNABLES"] = tunables.Length == 0 ? Tunable : tunables + ":" + Tunable;
        start.Environment[Marker] = "1";
        try
        {
            using var child = Process.Start(start);
            if (child is null) return null;
            Console.CancelKeyPress += (_, e) => e.Cancel = true;   // the child gets the same Ctrl+C and ends itself
            child.WaitForExit();
            return child.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}

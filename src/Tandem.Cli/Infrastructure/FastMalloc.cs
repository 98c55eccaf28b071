using System.Diagnostics;

namespace Tandem.Cli.Infrastructure;

/// <summary>
/// libtorch allocates large tensors afresh at every step, and glibc's malloc hands such blocks back to the kernel
/// when they are freed, so every step pays for fresh, zeroed pages; on the VMs this was measured on that is a large
/// part of a training step. tcmalloc keeps freed memory for reuse: with it (<c>LD_PRELOAD</c> of Debian's
/// <c>libtcmalloc-minimal4</c>, which the build installs where it can) training steps were 1.3-1.5x faster than
/// with glibc's <c>glibc.malloc.hugetlb=1</c> tunable, which in turn beat plain glibc by 1.5-2.5x on another VM
/// (fewer, larger fresh pages). Both must be set before the process starts, so <c>tandem</c> re-runs itself once
/// with tcmalloc preloaded where the library is present, and with the tunable in any case, unless both are already
/// in place or <c>TANDEM_NO_REEXEC=1</c>. <c>TANDEM_MALLOC=glibc</c> keeps glibc's malloc (with the tunable).
/// </summary>
internal static class FastMalloc
{
    const string Tunable = "glibc.malloc.hugetlb=1";
    const string Marker = "TANDEM_REEXEC";

    /// <summary>Where Debian, Ubuntu, Fedora and Arch put tcmalloc (the minimal build first).</summary>
    static readonly string[] TcmallocPaths =
    [
        "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4", "/usr/lib/x86_64-linux-gnu/libtcmalloc.so.4",
        "/usr/lib/aarch64-linux-gnu/libtcmalloc_minimal.so.4", "/usr/lib64/libtcmalloc_minimal.so.4", "/usr/lib/libtcmalloc_minimal.so.4",
    ];

    /// <summary>The tcmalloc library to preload, or null when none is installed or <c>TANDEM_MALLOC=glibc</c>.</summary>
    public static string? Tcmalloc() =>
        Environment.GetEnvironmentVariable("TANDEM_MALLOC") is "glibc" ? null : TcmallocPaths.FirstOrDefault(File.Exists);

    /// <summary>Returns the child's exit code after re-running, or null to go on in this process.</summary>
    public static int? ReexecIfNeeded(string[] args)
    {
        if (!OperatingSystem.IsLinux()) return null;
        if (Environment.GetEnvironmentVariable(Marker) is not null) return null;
        if (Environment.GetEnvironmentVariable("TANDEM_NO_REEXEC") is "1" or "true") return null;
        var tunables = Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "";
        var preload = Environment.GetEnvironmentVariable("LD_PRELOAD") ?? "";
        bool hasTunable = tunables.Contains("glibc.malloc.hugetlb", StringComparison.Ordinal);
        var tcmalloc = preload.Contains("malloc", StringComparison.Ordinal) ? null : Tcmalloc();
        if (hasTunable && tcmalloc is null) return null;
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
        if (!hasTunable) start.Environment["GLIBC_TUNABLES"] = tunables.Length == 0 ? Tunable : tunables + ":" + Tunable;
        if (tcmalloc is not null) start.Environment["LD_PRELOAD"] = preload.Length == 0 ? tcmalloc : tcmalloc + ":" + preload;
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

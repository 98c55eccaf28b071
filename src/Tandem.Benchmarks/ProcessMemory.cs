using System.Runtime.InteropServices;

namespace Tandem.Benchmarks;

/// <summary>This process's memory from <c>/proc/self/status</c>, in MiB.</summary>
public static class ProcessMemory
{
    /// <summary>Resident set size now (VmRSS).</summary>
    public static long Rss() => Status("VmRSS:");

    /// <summary>Peak resident set size (VmHWM) since start or the last <see cref="ResetPeak"/>.</summary>
    public static long Peak() => Status("VmHWM:");

    /// <summary>Resets VmHWM to the current RSS (writes 5 to <c>/proc/self/clear_refs</c>); false if refused.</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The largest peak resident set size of the child processes this process has waited for
    /// (<c>getrusage(RUSAGE_CHILDREN)</c>), in MiB; -1 where it cannot be read.</summary>
    public static long ChildrenPeak()
    {
        var usage = new long[18];               // struct rusage: two timevals (4 longs), then ru_maxrss (KiB), ...
        try { return getrusage(-1, usage) == 0 ? usage[4] / 1024 : -1; }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return -1; }
    }

    static long Status(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line[key.Length..].Trim().Split(' ')[0]) / 1024;
        return -1;
    }

    [DllImport("libc")]
#pragma warning disable SYSLIB1054 // a plain blittable array
    static extern int getrusage(int who, [Out] long[] usage);
#pragma warning restore SYSLIB1054
}

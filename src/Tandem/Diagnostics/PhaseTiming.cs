using System.Diagnostics;
using System.Globalization;

namespace Tandem.Diagnostics;

/// <summary>
/// Where a command's time goes before its first answer: with <c>TANDEM_TIMING=1</c> every <see cref="Mark"/> prints
/// one line to standard error with the wall time and the CPU time since the process started (the kernel's start of
/// the pid, so a process that replaced itself with <c>execve</c> counts both starts), the wall time since the
/// previous mark, the page faults since then (on Linux: each first touch of a fresh page is one, and on the VMs this
/// was measured on one costs about 10 us), and the methods .NET compiled since then on any thread (ReadyToRun images
/// cannot hold the framework's generics instantiated over other types). Without the variable a mark costs one field read.
/// </summary>
public static class PhaseTiming
{
    /// <summary>Whether marks print (<c>TANDEM_TIMING=1</c>).</summary>
    public static bool Enabled { get; } = Environment.GetEnvironmentVariable("TANDEM_TIMING") is "1" or "true";

    static double _lastMs = double.NaN, _lastJitMs;
    static long _lastFaults, _lastJitted;

    /// <summary>Prints <c>timing: PHASE  WALL ms wall  CPU ms cpu  (+DELTA ms, +FAULTS faults, +N methods compiled in
    /// T ms)</c> to standard error when enabled (the faults part only where <c>/proc</c> gives them).</summary>
    /// <param name="phase">What has just finished, e.g. "weights loaded".</param>
    public static void Mark(string phase)
    {
        if (!Enabled) return;
        var (wall, faults) = SinceStart();
        double cpu = Environment.CpuUsage.TotalTime.TotalMilliseconds;
        double delta = double.IsNaN(_lastMs) ? wall : wall - _lastMs;
        _lastMs = wall;
        string faulted = faults is { } f ? $", +{f - _lastFaults} faults" : "";
        _lastFaults = faults ?? 0;
        long jitted = System.Runtime.JitInfo.GetCompiledMethodCount();
        double jitMs = System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds;
        string compiled = $", +{jitted - _lastJitted} methods compiled in {jitMs - _lastJitMs:F0} ms";
        (_lastJitted, _lastJitMs) = (jitted, jitMs);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"timing: {phase,-34} {wall,7:F0} ms wall {cpu,7:F0} ms cpu  (+{delta:F0} ms{faulted}{compiled})"));
    }

    static readonly HashSet<string> Marked = [];

    /// <summary>Like <see cref="Mark"/>, but only the first time this process reaches <paramref name="phase"/>
    /// (e.g. the first token of the first answer).</summary>
    /// <param name="phase">What has just finished.</param>
    public static void MarkOnce(string phase)
    {
        if (Enabled && Marked.Add(phase)) Mark(phase);
    }

    /// <summary>Milliseconds since the kernel started this pid (<c>/proc/uptime</c> minus the start time in
    /// <c>/proc/self/stat</c>, clock ticks of 100 a second) and the page faults so far (minor and major, from the
    /// same line); the process clock and no faults elsewhere.</summary>
    static (double Ms, long? Faults) SinceStart()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');        // fields from the 3rd (state) on
            double startTicks = double.Parse(fields[19], CultureInfo.InvariantCulture);   // field 22: starttime
            long faults = long.Parse(fields[7], CultureInfo.InvariantCulture) + long.Parse(fields[9], CultureInfo.InvariantCulture); // 10 minflt, 12 majflt
            double uptime = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], CultureInfo.InvariantCulture);
            return ((uptime - startTicks / 100.0) * 1000, faults);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return ((DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds, null);
        }
    }
}

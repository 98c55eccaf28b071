using System.Collections;
using System.Runtime.InteropServices;
using Tandem.Diagnostics;

namespace Tandem.Cli.Infrastructure;

/// <summary>
/// libtorch allocates large tensors afresh at every step, and glibc's malloc hands such blocks back to the kernel
/// when they are freed, so every step pays for fresh, zeroed pages; on the VMs this was measured on that is a large
/// part of a training step. tcmalloc keeps freed memory for reuse: with it (<c>LD_PRELOAD</c> of Debian's
/// <c>libtcmalloc-minimal4</c>, which the build installs where it can) training steps were 1.3-1.5x faster than
/// with glibc's <c>glibc.malloc.hugetlb=1</c> tunable, which in turn beat plain glibc by 1.5-2.5x on another VM
/// (fewer, larger fresh pages). Both must be set before the process starts, so <c>tandem</c> replaces itself once,
/// with <c>execve</c>, by the same program with tcmalloc preloaded where the library is present and with the tunable
/// in any case, unless both are already in place or <c>TANDEM_NO_REEXEC=1</c>. <c>execve</c> keeps the process:
/// one pid, so a job scheduler's or the shell's signals (SIGINT, SIGTERM, SIGKILL) reach the process that trains,
/// and its exit code is the one the caller sees. Should <c>execve</c> fail, <c>tandem</c> goes on as it is (the
/// allocator is only a matter of speed). <c>TANDEM_MALLOC=glibc</c> keeps glibc's malloc (with the tunable).
/// With tcmalloc goes <c>TCMALLOC_RELEASE_RATE=0</c> (unless set): tcmalloc otherwise hands freed spans back to the
/// kernel bit by bit, and the gradients a training step frees at <c>zero_grad</c> and makes again in the backward pass
/// (~200 MB at the MiniLM-shaped BERT2BERT) came back on fresh pages: 425 against 340 thousand page faults in a
/// <c>tandem bench --figure train_bf16_ms_per_step</c> process, and the step no faster than with gradients zeroed in place.
/// Commands that load a model, answer and exit do not re-execute: the second runtime start costs them about 150 ms
/// of CPU time, and the allocator did not change the rest (tandem ask, MiniLM2MiniLM, beam 4, 64 new tokens, one
/// thread, medians of 5 alternating runs on the project's 2-core VM: 4.9 s of CPU time with tcmalloc, 5.0 s without).
/// </summary>
internal static class FastMalloc
{
    const string Tunable = "glibc.malloc.hugetlb=1";
    const string Marker = "TANDEM_REEXEC";
    const string ReleaseRate = "TCMALLOC_RELEASE_RATE";

    /// <summary>Where Debian, Ubuntu, Fedora and Arch put tcmalloc (the minimal build first).</summary>
    static readonly string[] TcmallocPaths =
    [
        "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4", "/usr/lib/x86_64-linux-gnu/libtcmalloc.so.4",
        "/usr/lib/aarch64-linux-gnu/libtcmalloc_minimal.so.4", "/usr/lib64/libtcmalloc_minimal.so.4", "/usr/lib/libtcmalloc_minimal.so.4",
    ];

    /// <summary>The tcmalloc library to preload, or null when none is installed or <c>TANDEM_MALLOC=glibc</c>.</summary>
    public static string? Tcmalloc() =>
        Environment.GetEnvironmentVariable("TANDEM_MALLOC") is "glibc" ? null : TcmallocPaths.FirstOrDefault(File.Exists);

    /// <summary>Whether an allocator is preloaded (<c>LD_PRELOAD</c> names a malloc library, as after the re-exec).
    /// Without one, <c>tandem</c> turns on libtorch's huge pages (<see cref="Native.HugePages"/>): with glibc's malloc
    /// every parameter of a loaded model lands on fresh pages (tandem ask, MiniLM2MiniLM: weights 820 -> 510 ms, the
    /// encoder's first run 460 -> 210 ms, medians of 5 alternating runs), while under tcmalloc, which reuses freed
    /// memory, they made the bf16 training step slower (876-925 -> 1054-1100 ms, 3 alternating runs each).</summary>
    public static bool Preloaded => (Environment.GetEnvironmentVariable("LD_PRELOAD") ?? "").Contains("malloc", StringComparison.Ordinal);

    /// <summary>Replaces this process by itself with the fast allocator in place (no return when that succeeds);
    /// returns when nothing needs doing or <c>execve</c> failed, and the command then runs in this process.</summary>
    public static void ReexecIfNeeded(string[] args)
    {
        bool again = Environment.GetEnvironmentVariable(Marker) is not null;
        PhaseTiming.Mark(again ? $"runtime started again (execve; {Settings()})" : "runtime started");
        if (!OperatingSystem.IsLinux() || again) return;
        if (Environment.GetEnvironmentVariable("TANDEM_NO_REEXEC") is "1" or "true") return;
        if (ShortProcess.Is(args)) return;                  // keeps the allocator it was started with (see the summary)
        var tunables = Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "";
        var preload = Environment.GetEnvironmentVariable("LD_PRELOAD") ?? "";
        bool hasTunable = tunables.Contains("glibc.malloc.hugetlb", StringComparison.Ordinal);
        var tcmalloc = Preloaded ? null : Tcmalloc();
        if (hasTunable && tcmalloc is null) return;
        if (SelfProcess.Prefix() is not { } prefix) return;         // `dotnet Tandem.Cli.dll ...` under dotnet run
        var argv = new List<string?>(prefix);
        argv.AddRange(args);
        argv.Add(null);
        var env = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);
        if (!hasTunable) env["GLIBC_TUNABLES"] = tunables.Length == 0 ? Tunable : tunables + ":" + Tunable;
        if (tcmalloc is not null)
        {
            env["LD_PRELOAD"] = preload.Length == 0 ? tcmalloc : tcmalloc + ":" + preload;
            env.TryAdd(ReleaseRate, "0");                   // keep freed pages (see the summary)
        }
        env[Marker] = "1";
        var envp = env.Select(kv => (string?)(kv.Key + "=" + kv.Value)).Append(null).ToArray();
        Console.Out.Flush();
        try { execve(prefix[0], [.. argv], envp); }    // returns only on failure; then run here, as we are
        catch (Exception e) when (e is MarshalDirectiveException or EntryPointNotFoundException or DllNotFoundException) { }
    }

    /// <summary>The allocator variables in force, as the timing lines show them.</summary>
    static string Settings() => string.Join(", ", new[] { "LD_PRELOAD", "GLIBC_TUNABLES", ReleaseRate }
        .Select(name => $"{name}={Environment.GetEnvironmentVariable(name)}"));

    [DllImport("libc", SetLastError = true)]
#pragma warning disable CA2101, SYSLIB1054 // LPStr is UTF-8 on Linux; the arrays are NULL-terminated char*[] as execve wants
    static extern int execve([MarshalAs(UnmanagedType.LPUTF8Str)] string path,
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string?[] argv,
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string?[] envp);
#pragma warning restore CA2101, SYSLIB1054
}

using System.Runtime.InteropServices;

namespace Tandem.Cli.Infrastructure;

/// <summary>
/// Commands whose process loads a model, answers and exits (<c>tandem ask</c>). They keep the allocator they were
/// started with (<see cref="FastMalloc"/>), and they end without tearing the process down: after the last answer the
/// .NET runtime's shutdown, libtorch's static destructors (thousands of registered operators) and the kernel's freeing
/// of the address space took 110-150 ms of a first answer's 1.4 s between <c>Main</c>'s return and the end of the
/// process; ended with <c>_exit</c>, 20-30 ms (a fine-tuned GeoQuery model, <c>TANDEM_TIMING=1</c> against the wall
/// time, four alternating runs). The kernel frees the memory and closes the files of any process that ends; what such
/// a command writes goes to the console, which is flushed first, and its database and model are disposed before the
/// command returns. <c>TANDEM_NO_QUICK_EXIT=1</c> ends it the ordinary way.
/// </summary>
internal static class ShortProcess
{
    static readonly string[] Commands = ["ask"];

    /// <summary>Whether <paramref name="args"/> run such a command.</summary>
    public static bool Is(string[] args) => args.FirstOrDefault(a => !a.StartsWith('-')) is { } command && Commands.Contains(command);

    /// <summary>Ends the process at once with <paramref name="exitCode"/> when <paramref name="args"/> ran such a
    /// command on Linux (the console flushed first); otherwise returns the code for <c>Main</c> to return.</summary>
    public static int End(string[] args, int exitCode)
    {
        if (!OperatingSystem.IsLinux() || !Is(args) || Environment.GetEnvironmentVariable("TANDEM_NO_QUICK_EXIT") is "1" or "true") return exitCode;
        Console.Out.Flush();
        Console.Error.Flush();
        try { _exit(exitCode); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
        return exitCode;
    }

    [DllImport("libc")]
#pragma warning disable SYSLIB1054 // a plain int call; no marshalling to generate
    static extern void _exit(int status);
#pragma warning restore SYSLIB1054
}

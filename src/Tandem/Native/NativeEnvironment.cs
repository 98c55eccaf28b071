using System.Runtime.InteropServices;

namespace Tandem.Native;

/// <summary>
/// The C library's environment, the one native libraries read (libtorch's allocator, its OpenMP runtime). .NET's
/// <c>Environment.SetEnvironmentVariable</c> changes only the runtime's own copy on Linux, so a setting meant for
/// libtorch goes through <c>setenv</c>, before libtorch loads and before other threads read the environment
/// (<c>setenv</c> is not thread-safe).
/// </summary>
internal static class NativeEnvironment
{
    /// <summary>Sets <paramref name="name"/> to <paramref name="value"/> in the C library's environment and in .NET's
    /// (so child processes started from .NET see it too), unless it is set already: a user's value stays. Returns
    /// the value in force, or null where none is set and it could not be (not Linux, no <c>setenv</c>).</summary>
    public static string? SetDefault(string name, string value)
    {
        if (Environment.GetEnvironmentVariable(name) is { } given) return given;
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            if (setenv(name, value, 0) != 0) return null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return null; }
        Environment.SetEnvironmentVariable(name, value);
        return value;
    }

    [DllImport("libc", SetLastError = true)]
#pragma warning disable CA2101, SYSLIB1054 // LPStr is UTF-8 on Linux
    static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
#pragma warning restore CA2101, SYSLIB1054
}

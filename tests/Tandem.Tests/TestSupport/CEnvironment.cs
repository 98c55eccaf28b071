using System.Runtime.InteropServices;

namespace Tandem.Tests.TestSupport;

/// <summary>The C library's environment (what native libraries read) and .NET's copy of it, set together, for tests
/// of settings made for libtorch (in <see cref="SequentialCollection"/>: <c>setenv</c> is not thread-safe).</summary>
internal static class CEnvironment
{
    /// <summary>Sets <paramref name="name"/> to <paramref name="value"/>, or removes it for null, in both copies.</summary>
    public static void Set(string name, string? value)
    {
        Environment.SetEnvironmentVariable(name, value);
        if (value is null) Assert.Equal(0, unsetenv(name));
        else Assert.Equal(0, setenv(name, value, 1));
    }

    /// <summary>The C library's value of <paramref name="name"/>, or null.</summary>
    public static string? Get(string name) => Marshal.PtrToStringUTF8(getenv(name));

#pragma warning disable CA2101, SYSLIB1054
    [DllImport("libc")] static extern IntPtr getenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
    [DllImport("libc")] static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
    [DllImport("libc")] static extern int unsetenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
#pragma warning restore CA2101, SYSLIB1054
}

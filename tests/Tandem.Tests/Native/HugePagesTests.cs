using System.Runtime.InteropServices;
using Tandem.Native;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Native;

[Collection(SequentialCollection.Name)]
public class HugePagesTests
{
    [Fact]
    public void SetsTheVariableLibTorchReadsAndKeepsAUsersChoice()
    {
        if (!OperatingSystem.IsLinux()) return;
        string? before = Environment.GetEnvironmentVariable(HugePages.Variable);
        try
        {
            Set(null);
            Assert.True(HugePages.UseForLibTorch());
            Assert.Equal("1", NativeValue());                                  // the C library's copy: what libtorch reads
            Assert.Equal("1", Environment.GetEnvironmentVariable(HugePages.Variable));   // what child processes get

            Set("0");                                                           // a user who turned it off
            Assert.False(HugePages.UseForLibTorch());
            Assert.Equal("0", NativeValue());
        }
        finally { Set(before); }
    }

    static void Set(string? value)
    {
        Environment.SetEnvironmentVariable(HugePages.Variable, value);
        if (value is null) Assert.Equal(0, unsetenv(HugePages.Variable));
        else Assert.Equal(0, setenv(HugePages.Variable, value, 1));
    }

    static string? NativeValue() => Marshal.PtrToStringUTF8(getenv(HugePages.Variable));

#pragma warning disable CA2101, SYSLIB1054
    [DllImport("libc")] static extern IntPtr getenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
    [DllImport("libc")] static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
    [DllImport("libc")] static extern int unsetenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
#pragma warning restore CA2101, SYSLIB1054
}

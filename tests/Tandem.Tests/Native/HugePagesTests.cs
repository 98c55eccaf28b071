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
            CEnvironment.Set(HugePages.Variable, null);
            Assert.True(HugePages.UseForLibTorch());
            Assert.Equal("1", CEnvironment.Get(HugePages.Variable));                        // the C library's copy: what libtorch reads
            Assert.Equal("1", Environment.GetEnvironmentVariable(HugePages.Variable));   // what child processes get

            CEnvironment.Set(HugePages.Variable, "0");                                     // a user who turned it off
            Assert.False(HugePages.UseForLibTorch());
            Assert.Equal("0", CEnvironment.Get(HugePages.Variable));
        }
        finally { CEnvironment.Set(HugePages.Variable, before); }
    }
}

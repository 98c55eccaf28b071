using Tandem.Native;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Native;

[Collection(SequentialCollection.Name)]
public class GlibcMallocTests
{
    /// <summary>glibc refuses a threshold above its limits (mallopt returns 0): the settings are ones it takes. (The test
    /// host may run under tcmalloc, where glibc's settings change nothing; the page faults they save are measured in
    /// the README, not here.)</summary>
    [Fact]
    public void GlibcTakesTheSettings()
    {
        if (!OperatingSystem.IsLinux()) return;
        Assert.True(GlibcMalloc.KeepFreedMemory());
    }
}

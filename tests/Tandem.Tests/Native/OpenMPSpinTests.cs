using Tandem.Native;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Native;

[Collection(SequentialCollection.Name)]
public class OpenMPSpinTests
{
    const string Policy = "OMP_WAIT_POLICY";

    /// <summary>Sets the spin count where nothing is set (in the C library's environment, which GNU OpenMP reads, and
    /// .NET's, which child processes get), keeps a user's count, and leaves it alone under a user's wait policy.</summary>
    [Fact]
    public void SetsTheSpinCountUnlessTheUserChose()
    {
        if (!OperatingSystem.IsLinux()) return;
        var (spins, policy) = (Environment.GetEnvironmentVariable(OpenMPSpin.Variable), Environment.GetEnvironmentVariable(Policy));
        try
        {
            CEnvironment.Set(OpenMPSpin.Variable, null);
            CEnvironment.Set(Policy, null);
            Assert.Equal(OpenMPSpin.Spins, OpenMPSpin.UseShortSpin());
            Assert.Equal(OpenMPSpin.Spins, CEnvironment.Get(OpenMPSpin.Variable));
            Assert.Equal(OpenMPSpin.Spins, Environment.GetEnvironmentVariable(OpenMPSpin.Variable));

            CEnvironment.Set(OpenMPSpin.Variable, "500");                                  // a user's count
            Assert.Equal("500", OpenMPSpin.UseShortSpin());
            Assert.Equal("500", CEnvironment.Get(OpenMPSpin.Variable));

            CEnvironment.Set(OpenMPSpin.Variable, null);
            CEnvironment.Set(Policy, "passive");                                           // a user's policy
            Assert.Null(OpenMPSpin.UseShortSpin());
            Assert.Null(CEnvironment.Get(OpenMPSpin.Variable));
        }
        finally
        {
            CEnvironment.Set(OpenMPSpin.Variable, spins);
            CEnvironment.Set(Policy, policy);
        }
    }
}

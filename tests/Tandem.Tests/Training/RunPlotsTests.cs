using Tandem.Tests.TestSupport;
using Tandem.Training;

namespace Tandem.Tests.Training;

public class RunPlotsTests
{
    [Fact]
    public void WritesPngPlotsHeadless()
    {
        using var tmp = Paths.TempDir();
        for (int s = 10; s <= 50; s += 10)
        {
            MetricsLog.Append(tmp.Path, new Dictionary<string, object?> { ["step"] = s, ["split"] = "train", ["loss"] = 5.0 / s });
            MetricsLog.Append(tmp.Path, new Dictionary<string, object?> { ["step"] = s, ["split"] = "dev", ["loss"] = 6.0 / s, ["exact_match"] = s / 50.0, ["bleu"] = s * 1.5 });
        }
        var files = RunPlots.Write(tmp.Path);
        Assert.Equal(2, files.Count);
        foreach (var f in files)
        {
            var head = File.ReadAllBytes(f)[..4];
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, head);
        }
        MetricsLog.TruncateAfter(tmp.Path, 30);
        Assert.Equal(6, MetricsLog.Read(tmp.Path).Count);
    }
}

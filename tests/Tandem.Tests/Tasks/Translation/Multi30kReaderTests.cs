using Tandem.Tasks.Translation;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Tasks.Translation;

/// <summary>Multi30k's raw files read from their gzip form, aligned.</summary>
public sealed class Multi30kReaderTests
{
    static readonly string Data = Paths.Shared("data", "multi30k");

    [Fact]
    public void SplitsHaveUpstreamsCountsAndStayAligned()
    {
        Assert.Equal(29000, Multi30kReader.ReadPairs(Data, Multi30kReader.Train, "en", "de").Count);
        Assert.Equal(1014, Multi30kReader.ReadPairs(Data, Multi30kReader.Validation, "en", "de").Count);
        var test = Multi30kReader.ReadPairs(Data, Multi30kReader.Test2016, "en", "de");
        Assert.Equal(1000, test.Count);
        Assert.All(test, p => Assert.True(p.Source.Length > 0 && p.Target.Length > 0));
        // cased, untokenized, with umlauts read as UTF-8
        Assert.Contains(test, p => p.Target.Contains('ä') || p.Target.Contains('ü') || p.Target.Contains('ö'));
        Assert.All(test, p => Assert.True(char.IsUpper(p.Target[0]) || !char.IsLetter(p.Target[0]), p.Target));
    }

    [Fact]
    public void AMissingFileIsOneClearError()
    {
        using var dir = Paths.TempDir();
        var e = Assert.Throws<TandemException>(() => Multi30kReader.Read(dir.Path, "train", "de"));
        Assert.Contains("train.de.gz", e.Message);
    }
}

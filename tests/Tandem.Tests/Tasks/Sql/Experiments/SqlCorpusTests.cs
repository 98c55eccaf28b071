using Tandem.Tasks.Sql;
using Tandem.Tasks.Sql.Experiments;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Tasks.Sql.Experiments;

/// <summary>The SQL pre-training corpus of the SQL-BERT experiment, built from the staged data.</summary>
public sealed class SqlCorpusTests
{
    static readonly Lazy<(SqlCorpusInfo Info, string[] Train, string[] Dev)> Built = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "tandem-tests-sqlcorpus-" + Environment.ProcessId);
        var info = SqlCorpus.Build(Paths.Shared("data", "text2sql-data"), SqlData.SpiderDir, Paths.Shared("data", "kaggledbqa"), dir);
        var result = (info, File.ReadAllLines(info.TrainFile), File.ReadAllLines(info.DevFile));
        Directory.Delete(dir, recursive: true);
        return result;
    });

    [Fact]
    public void NoGeoQueryQueryEntersTheCorpus()
    {
        var (info, train, dev) = Built.Value;
        var geo = SqlData.Geography.Select(e => SqlTargetNormalizer.Normalize(e.Sql)).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(train, geo.Contains);
        Assert.DoesNotContain(dev, geo.Contains);
        Assert.DoesNotContain(info.Sources, s => s.Name.Contains("geography", StringComparison.Ordinal));
        // nor GeoQuery's database: its tables with GeoQuery's alias names (border_info, highlow are GeoQuery's own)
        Assert.DoesNotContain(train, l => l.Contains("border_info", StringComparison.Ordinal) || l.Contains("highlow", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryOtherSourceIsReadOnceAndHeldOutQueriesAreNotTrainedOn()
    {
        var (info, train, dev) = Built.Value;
        foreach (var name in new[] { "text2sql-data/atis", "text2sql-data/advising", "text2sql-data/scholar", "text2sql-data/restaurants", "spider dev", "kaggledbqa/GeoNuclearData" })
            Assert.True(info.Sources.Single(s => s.Name == name).Queries > 0, name);
        Assert.Equal(info.TrainQueries, train.Length);
        Assert.Equal(info.DevQueries, dev.Length);
        Assert.Equal(train.Length, train.Distinct(StringComparer.Ordinal).Count());
        Assert.Empty(dev.Intersect(train, StringComparer.Ordinal));
        Assert.InRange(dev.Length, train.Length / 60, train.Length / 40);
        Assert.All(train.Take(200), l => Assert.Equal(SqlTargetNormalizer.Normalize(l), l));   // in the form the decoder writes
    }
}

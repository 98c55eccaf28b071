using Tandem.Tasks.Sql;

namespace Tandem.Tests.Tasks.Sql;

/// <summary>Spider dev: counts from ../shared/data/spider-dev/README.md, and every gold query runs.</summary>
public sealed class SpiderReaderTests
{
    [Fact]
    public void ReadsDevWithDatabases()
    {
        var examples = SpiderReader.Read(SqlData.SpiderDir);
        Assert.Equal(1034, examples.Count);
        Assert.All(examples, e => Assert.Equal("dev", e.Split));
        var byDb = examples.GroupBy(e => e.DbId!).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(20, byDb.Count);
        Assert.Equal(120, byDb["world_1"]);
        Assert.Equal(62, byDb["wta_1"]);
        Assert.All(examples.Where(e => e.DbId == "wta_1"), e => Assert.Null(e.DbPath));
        Assert.Equal(972, examples.Count(e => e.DbPath is not null));
    }

    [Fact]
    public void ReadsTables()
    {
        var tables = SpiderReader.ReadTables(SqlData.SpiderDir);
        Assert.Equal(166, tables.Count);
        var singer = tables["concert_singer"].Table("SINGER");
        Assert.NotNull(singer);
        Assert.Contains(singer.Columns, c => c.Name == "Singer_ID" && c.IsPrimaryKey);
        Assert.Contains(tables["concert_singer"].Table("singer_in_concert")!.ForeignKeys, f => f.RefTable == "singer");
    }

    [Fact]
    public void EveryGoldQueryRunsAlsoNormalised()
    {
        int empty = 0;
        foreach (var group in SpiderReader.Read(SqlData.SpiderDir).Where(e => e.DbPath is not null).GroupBy(e => e.DbPath!))
        {
            using var db = ReadOnlyDatabase.Open(group.Key);
            foreach (var e in group)
            {
                var r = db.Execute(e.Sql);
                Assert.True(r.Succeeded, $"{e.DbId}: {e.Sql}: {r.Error}");
                if (r.Rows.Count == 0) empty++;
                Assert.True(ExecutionMatch.Same(r, r, ExecutionMatch.HasOrderBy(e.Sql)));
                string normalised = SqlTargetNormalizer.Normalize(e.Sql);
                Assert.True(ExecutionMatch.Same(db.Execute(normalised), r, ordered: true), $"{e.Sql}\n{normalised}");
            }
        }
        Assert.Equal(49, empty);
    }
}

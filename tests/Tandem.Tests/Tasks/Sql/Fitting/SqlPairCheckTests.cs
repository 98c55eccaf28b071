using System.Text.Json.Nodes;
using Tandem.Tasks.Sql;
using Tandem.Tasks.Sql.Fitting;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Tasks.Sql.Fitting;

public sealed class SqlPairCheckTests
{
    [Fact]
    public void PairsWhoseSqlFailsAreListedWithLineAndTheDatabasesError()
    {
        using var tmp = Paths.TempDir();
        File.WriteAllLines(tmp["p.jsonl"],
        [
            "{\"question\": \"how many pets\", \"sql\": \"SELECT count(*) FROM pet\"}",
            "{\"question\": \"their colours\", \"sql\": \"SELECT colour FROM pet\"}",
            "{\"question\": \"delete them\", \"sql\": \"DELETE FROM pet\"}",
            "{\"question\": \"cats\", \"sql\": \"SELECT name FROM pet WHERE kind = 'cat'\"}",
        ]);
        var pairs = SqlPairFiles.Read(tmp["p.jsonl"], "train");
        using var db = ReadOnlyDatabase.Open(PetsDb.Write(tmp["pets.sqlite"]));
        var (runnable, skipped) = SqlPairCheck.Partition(pairs, db);
        Assert.Equal(["how many pets", "cats"], runnable.Select(p => p.Question));
        Assert.Equal([2, 3], skipped.Select(p => p.Line!.Value));
        Assert.Contains("no such column: colour", skipped[0].Error);
        Assert.Equal("line 2: " + skipped[0].Error, SqlPairCheck.Describe(skipped[0]));
        SqlPairCheck.Write(tmp["skipped.jsonl"], skipped);
        var lines = File.ReadAllLines(tmp["skipped.jsonl"]).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal((2, "SELECT colour FROM pet"), (lines[0]!["line"]!.GetValue<int>(), lines[0]!["sql"]!.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(lines[1]!["error"]!.GetValue<string>()));
    }

    [Fact]
    public void EveryRestaurantsGoldQueryRunsOnItsDatabase()
    {
        var examples = Text2SqlReader.ReadDataset(Paths.Shared("data", "text2sql-data"), "restaurants");
        Assert.Equal(378, examples.Count);
        Assert.EndsWith("restaurants-fixed-id.sqlite", examples[0].DbPath);
        using var db = ReadOnlyDatabase.Open(examples[0].DbPath!);
        var (runnable, skipped) = SqlPairCheck.Partition(examples, db);
        Assert.Empty(skipped);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString()), runnable.Select(e => e.Split).Distinct().Order());
    }
}

public sealed class DevSplitTests
{
    [Fact]
    public void TheDevShareIsFixedByTheHashWhateverTheOrder()
    {
        var pairs = SqlData.Geography.Take(200).ToList();
        var a = SqlSplits.HoldOutFraction(pairs, 0.1);
        var b = SqlSplits.HoldOutFraction(pairs.AsEnumerable().Reverse().ToList(), 0.1);
        Assert.Equal((180, 20, 0), (a.Train.Count, a.Dev.Count, a.Test.Count));
        Assert.Equal(a.Dev.Select(e => e.Question), b.Dev.Select(e => e.Question));
        Assert.Empty(a.Dev.Intersect(a.Train));
        Assert.NotEqual(pairs.Take(20).Select(e => e.Question), a.Dev.Select(e => e.Question));   // not simply the first ones
        var none = SqlSplits.HoldOutFraction(pairs, 0);
        Assert.Equal((200, 0), (none.Train.Count, none.Dev.Count));
        Assert.Single(SqlSplits.HoldOutFraction(pairs.Take(3).ToList(), 0.1).Dev);                  // at least one
        Assert.Contains("dev fraction", Assert.Throws<TandemException>(() => SqlSplits.HoldOutFraction(pairs, 1)).Message);
    }
}

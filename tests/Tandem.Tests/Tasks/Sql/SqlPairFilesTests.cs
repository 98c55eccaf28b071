using Tandem.Tasks.Sql;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Tasks.Sql;

/// <summary>Export to and import from the training formats.</summary>
public sealed class SqlPairFilesTests
{
    static readonly SqlExample[] Pairs =
    [
        new("what is the capital of \"texas\"?", "SELECT CAPITAL FROM STATE WHERE STATE_NAME = \"texas\" ;", "train"),
        new("tabs\there", "SELECT 1", "train"),
    ];

    [Fact]
    public void JsonLinesRoundTrip()
    {
        using var dir = Paths.TempDir();
        SqlPairFiles.Write(dir["p.jsonl"], Pairs, SqlPairFormat.JsonLines);
        var lines = File.ReadAllLines(dir["p.jsonl"]);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("{\"source\":", lines[0]);
        var back = SqlPairFiles.Read(dir["p.jsonl"], "dev", dbPath: "x.sqlite");
        Assert.Equal(Pairs.Select(p => (p.Question, p.Sql)), back.Select(p => (p.Question, p.Sql)));
        Assert.All(back, p => Assert.Equal(("dev", "x.sqlite"), (p.Split, p.DbPath)));
    }

    [Fact]
    public void TsvFlattensTabs()
    {
        using var dir = Paths.TempDir();
        SqlPairFiles.Write(dir["p.tsv"], Pairs, SqlPairFormat.Tsv, SqlTargetNormalizer.Normalize);
        var back = SqlPairFiles.Read(dir["p.tsv"], "train");
        Assert.Equal("tabs here", back[1].Question);
        Assert.Equal("select capital from state where state_name = \"texas\"", back[0].Sql);
    }

    [Fact]
    public void UsersOwnPairsWithQuestionQueryKeys()
    {
        using var dir = Paths.TempDir();
        File.WriteAllText(dir["mine.jsonl"], "{\"question\": \"how many states\", \"query\": \"SELECT count(*) FROM STATE\", \"db_id\": \"geo\"}\n\n");
        var e = Assert.Single(SqlPairFiles.Read(dir["mine.jsonl"], "train"));
        Assert.Equal(("how many states", "SELECT count(*) FROM STATE", "geo"), (e.Question, e.Sql, e.DbId));
        File.WriteAllText(dir["bad.jsonl"], "{\"source\": \"x\"}\n");
        Assert.Contains("bad.jsonl:1", Assert.Throws<TandemException>(() => SqlPairFiles.Read(dir["bad.jsonl"], "train")).Message);
        File.WriteAllText(dir["bad.tsv"], "only one field\n");
        Assert.Throws<TandemException>(() => SqlPairFiles.Read(dir["bad.tsv"], "train"));
    }

    [Fact]
    public void ExportWritesThreeFiles()
    {
        using var dir = Paths.TempDir();
        SqlSplits.Standard(SqlData.Geography).Export(dir.Path, SqlPairFormat.JsonLines);
        Assert.Equal(549, File.ReadAllLines(dir["train.jsonl"]).Length);
        Assert.Equal(49, File.ReadAllLines(dir["dev.jsonl"]).Length);
        Assert.Equal(279, File.ReadAllLines(dir["test.jsonl"]).Length);
    }
}

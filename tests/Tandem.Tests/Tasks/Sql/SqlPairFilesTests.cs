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
    public void CsvWithAHeaderInAnyOrderQuotedCommasAndLineNumbers()
    {
        using var dir = Paths.TempDir();
        File.WriteAllText(dir["mine.csv"], "id,SQL,Question\n1,\"SELECT name FROM pet WHERE kind = 'cat', 'dog'\",\"cats, dogs?\"\n\n2,\"SELECT\ncount(*) FROM pet\",how many\n3,SELECT 1,one\n");
        var pairs = SqlPairFiles.Read(dir["mine.csv"], "train", "pets.sqlite");
        Assert.Equal(["cats, dogs?", "how many", "one"], pairs.Select(p => p.Question));
        Assert.Equal("SELECT name FROM pet WHERE kind = 'cat', 'dog'", pairs[0].Sql);
        Assert.Equal("SELECT\ncount(*) FROM pet", pairs[1].Sql);
        Assert.Equal([2, 4, 6], pairs.Select(p => p.Line!.Value));                 // a quoted field spanning lines counts from its row's first
        Assert.All(pairs, p => Assert.Equal("pets.sqlite", p.DbPath));
        foreach (var (name, header) in new[] { ("a.csv", "source,target"), ("b.csv", "question,query"), ("c.csv", "question,sql") })
        {
            File.WriteAllText(dir[name], header + "\nhi,SELECT 1\n");
            Assert.Equal(("hi", "SELECT 1"), SqlPairFiles.Read(dir[name], "train").Select(p => (p.Question, p.Sql)).Single());
        }
    }

    [Fact]
    public void BadRowsAreErrorsNamingFileAndLine()
    {
        using var dir = Paths.TempDir();
        File.WriteAllText(dir["noheader.csv"], "how many,SELECT 1\n");
        Assert.Contains("noheader.csv:1: the header must name a question column", Assert.Throws<TandemException>(() => SqlPairFiles.Read(dir["noheader.csv"], "train")).Message);
        File.WriteAllText(dir["short.csv"], "question,sql\nhi,SELECT 1\nonly one\n");
        Assert.Contains("short.csv:3: expected 2 comma-separated fields", Assert.Throws<TandemException>(() => SqlPairFiles.Read(dir["short.csv"], "train")).Message);
        File.WriteAllText(dir["open.csv"], "question,sql\n\"never closed,SELECT 1\n");
        Assert.Contains("open.csv:2: unterminated quoted field", Assert.Throws<TandemException>(() => SqlPairFiles.Read(dir["open.csv"], "train")).Message);
        File.WriteAllText(dir["bad.tsv"], "question\tsql\nhi\tSELECT 1\tthird\n");
        Assert.Contains("bad.tsv:2: expected 2 tab-separated fields", Assert.Throws<TandemException>(() => SqlPairFiles.Read(dir["bad.tsv"], "train")).Message);
        File.WriteAllText(dir["number.jsonl"], "{\"question\": \"hi\", \"sql\": 5}\n");
        Assert.Contains("number.jsonl:1: needs", Assert.Throws<TandemException>(() => SqlPairFiles.Read(dir["number.jsonl"], "train")).Message);
    }

    [Fact]
    public void TsvHeaderIsOptionalAndJsonLinesTakeSql()
    {
        using var dir = Paths.TempDir();
        File.WriteAllText(dir["h.tsv"], "question\tsql\nhi\tSELECT 1\n\t\nyo\tSELECT 2\n");
        var withHeader = SqlPairFiles.Read(dir["h.tsv"], "train");
        Assert.Equal([("hi", "SELECT 1", 2), ("yo", "SELECT 2", 4)], withHeader.Select(p => (p.Question, p.Sql, p.Line!.Value)));
        File.WriteAllText(dir["p.jsonl"], "\n{\"question\": \"hi\", \"sql\": \"SELECT 1\"}\n");
        Assert.Equal(("hi", "SELECT 1", 2), SqlPairFiles.Read(dir["p.jsonl"], "train").Select(p => (p.Question, p.Sql, p.Line!.Value)).Single());
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

using Tandem.Tasks.Sql;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Tasks.Sql;

/// <summary>The read-only guarantee, the time limit, the row cap and errors as values.</summary>
public sealed class ReadOnlyDatabaseTests
{
    static readonly string[] WriteSql =
    [
        "DROP TABLE STATE",
        "INSERT INTO STATE (STATE_NAME) VALUES ('atlantis')",
        "UPDATE STATE SET POPULATION = 0",
        "DELETE FROM STATE",
        "CREATE TABLE t (x int)",
        "CREATE TEMP TABLE t (x int)",
        "CREATE VIEW v AS SELECT 1",
        "ALTER TABLE STATE RENAME TO S2",
        "ATTACH DATABASE ':memory:' AS other",
        "DETACH DATABASE main",
        "PRAGMA writable_schema=1",
        "PRAGMA writable_schema",
        "PRAGMA journal_mode=DELETE",
        "BEGIN",
        "SAVEPOINT s",
        "VACUUM",
        "ANALYZE",
        "SELECT load_extension('x')",
        "SELECT 1; DROP TABLE STATE",
    ];

    public static readonly TheoryData<string> Writes = new(WriteSql);

    [Fact]
    public void ReindexIsANoOpHere()
    {
        // The GeoQuery file has no indexes, so SQLite compiles REINDEX to nothing (no authorizer call, no write);
        // on a file with indexes the authorizer refuses it.
        using var dir = Paths.TempDir();
        string copy = dir["geo.sqlite"];
        File.Copy(SqlData.GeographyDb, copy);
        string before = SqlData.Sha256(copy);
        using (var db = ReadOnlyDatabase.Open(copy)) db.Execute("REINDEX");
        Assert.Equal(before, SqlData.Sha256(copy));
        Assert.Equal(1, ReadOnlyAuthorizer.Decide(27, "idx", null));
    }

    [Theory]
    [MemberData(nameof(Writes))]
    public void WritesAreRefusedOnACopy(string sql)
    {
        using var dir = Paths.TempDir();
        string copy = dir["geo.sqlite"];
        File.Copy(SqlData.GeographyDb, copy);
        string before = SqlData.Sha256(copy);
        using (var db = ReadOnlyDatabase.Open(copy))
        {
            var r = db.Execute(sql);
            if (!sql.StartsWith("SELECT 1;", StringComparison.Ordinal)) Assert.False(r.Succeeded, sql);
            Assert.True(db.Execute("SELECT count(*) FROM STATE").Succeeded);
            Assert.Equal(51L, db.Execute("SELECT count(*) FROM STATE").Rows[0][0]);
        }
        Assert.Equal(before, SqlData.Sha256(copy));
    }

    [Fact]
    public void AuthorizerRefusesWritesEvenWithoutReadOnlyMode()
    {
        // Mode=ReadOnly alone would also refuse writes; the authorizer refuses them at compile time, with its own message.
        using var dir = Paths.TempDir();
        string copy = dir["geo.sqlite"];
        File.Copy(SqlData.GeographyDb, copy);
        using var db = ReadOnlyDatabase.Open(copy);
        foreach (string sql in new[] { "DROP TABLE STATE", "INSERT INTO STATE (STATE_NAME) VALUES ('x')", "ATTACH ':memory:' AS o", "PRAGMA writable_schema=1", "CREATE TABLE t (x)" })
            Assert.Contains("not authorized", db.Execute(sql).Error);
    }

    [Fact]
    public void TheRealGeographyFileIsUnchangedByEveryAttempt()
    {
        string before = SqlData.Sha256(SqlData.GeographyDb);
        using (var db = ReadOnlyDatabase.Open(SqlData.GeographyDb))
        {
            foreach (string sql in WriteSql) Assert.False(db.Execute(sql).Succeeded && !sql.StartsWith("SELECT 1;", StringComparison.Ordinal), sql);
            Assert.Equal(51L, db.Execute("SELECT count(*) FROM STATE").Rows[0][0]);
        }
        Assert.Equal(before, SqlData.Sha256(SqlData.GeographyDb));
    }

    [Fact]
    public void QueryThatNeverEndsIsStopped()
    {
        using var db = ReadOnlyDatabase.Open(SqlData.GeographyDb, new ExecutionLimits { TimeLimitMs = 300 });
        var r = db.Execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c");
        Assert.True(r.TimedOut);
        Assert.False(r.Succeeded);
        Assert.Contains("time limit", r.Error);
        var next = db.Execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 10) SELECT count(*) FROM c");
        Assert.True(next.Succeeded, next.Error);
        Assert.Equal(10L, next.Rows[0][0]);
    }

    [Fact]
    public void RowCapTruncates()
    {
        using var db = ReadOnlyDatabase.Open(SqlData.GeographyDb, new ExecutionLimits { MaxRows = 5 });
        var r = db.Execute("SELECT STATE_NAME FROM STATE");
        Assert.True(r.Succeeded);
        Assert.True(r.Truncated);
        Assert.Equal(5, r.Rows.Count);
        Assert.False(db.Execute("SELECT STATE_NAME FROM STATE LIMIT 5").Truncated);
    }

    [Theory]
    [InlineData("SELECT NO_SUCH_COLUMN FROM STATE", "no such column")]
    [InlineData("SELEKT 1", "syntax error")]
    [InlineData("SELECT * FROM NOWHERE", "no such table")]
    [InlineData("  ", "empty query")]
    public void ErrorsComeBackAsValues(string sql, string message)
    {
        using var db = ReadOnlyDatabase.Open(SqlData.GeographyDb);
        var r = db.Execute(sql);
        Assert.False(r.Succeeded);
        Assert.False(r.TimedOut);
        Assert.Contains(message, r.Error);
        Assert.Empty(r.Rows);
    }

    [Fact]
    public void MissingFileIsAUserError()
    {
        var ex = Assert.Throws<TandemException>(() => ReadOnlyDatabase.Open("/nonexistent/x.sqlite"));
        Assert.Contains("/nonexistent/x.sqlite", ex.Message);
        Assert.False(File.Exists("/nonexistent/x.sqlite"));
    }

    [Fact]
    public void ReadsTheSchemaFromTheFile()
    {
        using var db = ReadOnlyDatabase.Open(SqlData.GeographyDb);
        var schema = db.ReadSchema(sampleValues: 2);
        Assert.Equal(["border_info", "city", "highlow", "lake", "mountain", "river", "state"],
            schema.Tables.Select(t => t.Name.ToLowerInvariant()).Order());
        var city = schema.Table("CITY")!;
        Assert.Contains(city.Columns, c => c.Name.Equals("CITY_NAME", StringComparison.OrdinalIgnoreCase));
        Assert.All(city.Columns, c => Assert.InRange(c.SampleValues.Count, 1, 2));
        string text = schema.Describe();
        Assert.Contains("CITY_NAME", text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("e.g. '", text);
    }
}

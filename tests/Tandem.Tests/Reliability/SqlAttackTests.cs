using Microsoft.Data.Sqlite;
using Tandem.Tasks.Sql;
using Tandem.Tests.Tasks.Sql;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Reliability;

/// <summary>
/// SQL as an attacker writes it, through <c>tandem ask --sql</c> (the same guarded executor the model's queries run
/// through) on a copy of the GeoQuery database: every case is refused or stopped, with one error line and a non-zero
/// exit; the file's SHA-256 never changes, no file appears beside it, and the command's peak resident memory stays
/// under <see cref="MemoryBound"/>.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class SqlAttackTests : IClassFixture<SqlAttackTests.Geography>
{
    /// <summary>What one <c>ask --sql</c> may use at its peak: the CLI's own ~50 MB, SQLite's 512 MiB heap limit and a
    /// 16 MiB result held twice over, with room to spare. Without the limits, <c>randomblob(1e9)</c> alone takes 2 GB.</summary>
    const long MemoryBound = 1L << 30;

    const string Area = "sql attack";
    const string NotAuthorized = "not authorized", TimeLimit = "time limit of 1000 ms exceeded", TooBig = "string or blob too big";

    /// <summary>The copy every case runs on, and its hash before any of them.</summary>
    public sealed class Geography : IDisposable
    {
        internal TempDir Dir { get; } = Paths.TempDir();
        public string Db => Dir["geography.sqlite"];
        public string Sha { get; }

        public Geography()
        {
            File.Copy(SqlData.GeographyDb, Db);
            Sha = SqlData.Sha256(Db);
        }

        public void Dispose() => Dir.Dispose();
    }

    readonly Geography _geo;

    public SqlAttackTests(Geography geo) => _geo = geo;

    static string Nested(int depth, string open, string close) =>
        "SELECT " + string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));

    /// <summary>Case name → (query, a fragment of the error). <c>{dir}</c> stands for the database's folder.</summary>
    static readonly Dictionary<string, (string Sql, string Error)> Attacks = new()
    {
        ["INSERT"] = ("INSERT INTO STATE (STATE_NAME) VALUES ('atlantis')", NotAuthorized),
        ["UPDATE"] = ("UPDATE STATE SET POPULATION = 0", NotAuthorized),
        ["UPDATE ... RETURNING"] = ("UPDATE STATE SET POPULATION = 0 RETURNING STATE_NAME", NotAuthorized),
        ["DELETE"] = ("DELETE FROM STATE", NotAuthorized),
        ["REPLACE INTO"] = ("REPLACE INTO STATE (STATE_NAME) VALUES ('x')", NotAuthorized),
        ["INSERT inside a WITH"] = ("WITH x AS (SELECT 'x') INSERT INTO STATE (STATE_NAME) SELECT * FROM x", NotAuthorized),
        ["CREATE TABLE"] = ("CREATE TABLE t (x int)", NotAuthorized),
        ["CREATE INDEX"] = ("CREATE INDEX i ON STATE (STATE_NAME)", NotAuthorized),
        ["DROP TABLE"] = ("DROP TABLE STATE", NotAuthorized),
        ["ALTER TABLE RENAME"] = ("ALTER TABLE STATE RENAME TO S2", NotAuthorized),
        ["CREATE TEMP TABLE"] = ("CREATE TEMP TABLE t AS SELECT * FROM STATE", NotAuthorized),
        ["CREATE TEMP TRIGGER"] = ("CREATE TEMP TRIGGER t AFTER INSERT ON STATE BEGIN SELECT 1; END", NotAuthorized),
        ["CREATE TEMP VIEW"] = ("CREATE TEMP VIEW v AS SELECT 1", NotAuthorized),
        ["CREATE VIRTUAL TABLE (fts5)"] = ("CREATE VIRTUAL TABLE temp.f USING fts5(x)", NotAuthorized),
        ["ATTACH a new file"] = ("ATTACH DATABASE '{dir}/evil.sqlite' AS evil", NotAuthorized),
        ["ATTACH by URI, mode=rwc"] = ("ATTACH DATABASE 'file:{dir}/evil2.sqlite?mode=rwc' AS evil", NotAuthorized),
        ["DETACH main"] = ("DETACH DATABASE main", NotAuthorized),
        ["PRAGMA writable_schema=1"] = ("PRAGMA writable_schema=1", NotAuthorized),
        ["PRAGMA writable_schema (read)"] = ("PRAGMA writable_schema", NotAuthorized),
        ["PRAGMA journal_mode=WAL"] = ("PRAGMA journal_mode=WAL", NotAuthorized),
        ["PRAGMA query_only=0"] = ("PRAGMA query_only=0", NotAuthorized),
        ["pragma as a table (pragma_journal_mode)"] = ("SELECT * FROM pragma_journal_mode", NotAuthorized),
        ["load_extension()"] = ("SELECT load_extension('{dir}/evil.so')", "not authorized to use function: load_extension"),
        ["fts3_tokenizer pointer overwrite"] = ("SELECT fts3_tokenizer('simple', x'4141414141414141')", "fts3tokenize disabled"),
        ["BEGIN a transaction"] = ("BEGIN EXCLUSIVE", NotAuthorized),
        ["SAVEPOINT"] = ("SAVEPOINT s", NotAuthorized),
        ["VACUUM"] = ("VACUUM", "authorization denied"),
        ["VACUUM INTO a new file"] = ("VACUUM INTO '{dir}/copy.sqlite'", "authorization denied"),
        ["ANALYZE"] = ("ANALYZE", NotAuthorized),
        ["two statements: SELECT; DROP"] = ("SELECT 1; DROP TABLE STATE", "several statements"),
        ["two SELECTs"] = ("SELECT 1; SELECT count(*) FROM CITY a, CITY b, CITY c", "several statements"),
        ["DROP after a line comment"] = ("SELECT 1 --\n; DROP TABLE STATE", "several statements"),
        ["DROP behind a block comment"] = ("/* SELECT 1 */ DROP TABLE STATE", NotAuthorized),
        ["recursive CTE without end"] = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c", TimeLimit),
        ["recursive CTE with UNION (growing set)"] = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION SELECT x+1 FROM c) SELECT count(*) FROM c", TimeLimit),
        ["4-way cross join, counted"] = ("SELECT count(*) FROM CITY a, CITY b, CITY c, CITY d", TimeLimit),
        ["3-way cross join, sorted at random"] = ("SELECT a.CITY_NAME FROM CITY a, CITY b, CITY c ORDER BY random()", TimeLimit),
        ["3-way cross join, concatenated"] = ("SELECT group_concat(a.CITY_NAME || b.CITY_NAME || c.CITY_NAME) FROM CITY a, CITY b, CITY c", TimeLimit),
        ["randomblob of 1 GB"] = ("SELECT randomblob(1000000000)", TooBig),
        ["zeroblob of 1 GB"] = ("SELECT zeroblob(1000000000)", TooBig),
        ["printf of 2 GB"] = ("SELECT printf('%.*c', 2000000000, 'x')", TooBig),
        ["1000 rows of 1 MB blobs"] = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 1000) SELECT randomblob(1000000) FROM c", "the result is larger than 16777216 bytes"),
        ["a 16 MB blob per row, summed"] = ("SELECT sum(length(randomblob(16000000))) FROM CITY", TimeLimit),
        ["a 16 MB blob in a recursive queue"] = ("WITH RECURSIVE c(x) AS (SELECT randomblob(16000000) UNION ALL SELECT x FROM c) SELECT count(*) FROM c", TimeLimit),
        ["100000 nested parentheses"] = (Nested(100_000, "(", ")"), "Recursion limit"),
        ["100000 nested function calls"] = (Nested(100_000, "abs(", ")"), "Recursion limit"),
        ["a sum of 100000 terms"] = ("SELECT 1" + string.Concat(Enumerable.Repeat(" + 1", 100_000)), "Expression tree is too large"),
        ["a query of 1.1 MB"] = ("SELECT '" + new string('x', 1_100_000) + "'", TooBig),
    };

    public static TheoryData<string> Names => new(Attacks.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void IsRefusedOrStopped(string name)
    {
        var (sql, error) = Attacks[name];
        ReliabilityLog.Check(Area, name, () =>
        {
            var before = Directory.GetFiles(_geo.Dir.Path).Order().ToArray();
            var (r, peak) = CliRunner.RunMeasuringMemory(sql.Replace("{dir}", _geo.Dir.Path), "ask", "--db", _geo.Db, "--sql", "-", "--timeout-ms", "1000");
            CliRunner.AssertOneLineError(r, "the database refused the query", error);
            Assert.Equal(_geo.Sha, SqlData.Sha256(_geo.Db));
            Assert.Equal(before, Directory.GetFiles(_geo.Dir.Path).Order().ToArray());
            Assert.True(peak < MemoryBound, $"peak RSS {peak >> 20} MB");
            return $"refused: {r.StderrLines[0]["error: the database refused the query: ".Length..]}; peak RSS {peak >> 20} MB; file unchanged";
        });
    }

    [Fact]
    public void ADropHiddenInABlockCommentNeverRuns()
    {
        ReliabilityLog.Check(Area, "DROP hidden inside a block comment", () =>
        {
            var r = CliRunner.RunWithInput("SELECT count(*) FROM STATE /* ; DROP TABLE STATE */", "ask", "--db", _geo.Db, "--sql", "-", "--json");
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("\"rows\":[[51]]", r.Stdout);
            Assert.Equal(_geo.Sha, SqlData.Sha256(_geo.Db));
            return "runs as the SELECT alone (51 rows counted); the comment is never executed; file unchanged";
        });
    }

    [Fact]
    public void AModelsCandidateThatWritesIsPassedOverForOneThatAnswers()
    {
        // The path ask takes with a model: the beam's candidates run through the same executor, in model order.
        ReliabilityLog.Check(Area, "a model's beam: DROP TABLE, then a SELECT", () =>
        {
            using (var db = ReadOnlyDatabase.Open(_geo.Db))
            {
                var (index, result) = SqlAsker.Choose(db, ["DROP TABLE STATE", "SELECT count(*) FROM STATE"]);
                Assert.Equal(1, index);
                Assert.Equal(51L, result.Rows[0][0]);
            }
            Assert.Equal(_geo.Sha, SqlData.Sha256(_geo.Db));
            return "the DROP candidate is refused, the SELECT after it answers; file unchanged";
        });
    }

    [Fact]
    public void ALockedDatabaseWaitsNoLongerThanTheTimeLimit()
    {
        ReliabilityLog.Check(BadInput.Area, "command line: ask on a database another process holds locked", () =>
        {
            using var dir = Paths.TempDir();
            File.Copy(_geo.Db, dir["locked.sqlite"]);
            using var holder = new SqliteConnection($"Data Source={dir["locked.sqlite"]};Pooling=false");
            holder.Open();
            using (var begin = holder.CreateCommand()) { begin.CommandText = "BEGIN EXCLUSIVE; DELETE FROM CITY"; begin.ExecuteNonQuery(); }
            var r = CliRunner.Run("ask", "--db", dir["locked.sqlite"], "--sql", "SELECT count(*) FROM STATE", "--timeout-ms", "1000");
            CliRunner.AssertOneLineError(r, "locked.sqlite", "database is locked");
            return "refused: " + r.StderrLines[0]["error: ".Length..].Replace(dir.Path, "…");
        });
    }
}

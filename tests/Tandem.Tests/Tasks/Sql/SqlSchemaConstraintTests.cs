using Tandem.Generation;
using Tandem.Tasks.Sql;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Tasks.Sql;

public class SqlSchemaConstraintTests
{
    static readonly Lazy<SqlSchemaConstraint> Geo = new(() =>
    {
        using var db = ReadOnlyDatabase.Open(SqlData.GeographyDb);
        return new SqlSchemaConstraint(db.ReadSchema(), MiniLm.Tokenizer);
    });

    /// <summary>The decoder sequence of <paramref name="sql"/>: the start token, then its word pieces.</summary>
    static long[] Prefix(string sql) =>
        [MiniLm.Tokenizer.ClsTokenId, .. MiniLm.Tokenizer.EncodeToIds(sql, addSpecialTokens: false).Select(i => (long)i)];

    static int Id(string token) => MiniLm.Tokenizer.TokenToId(token) ?? throw new ArgumentException(token);

    static bool Allows(AllowedTokens? allowed, int id) => allowed is null || allowed.Except != allowed.Ids.Contains(id);

    [Fact]
    public void ASpecialTokenTheSqlTextDropsDoesNotLetANameRunOnIntoPieces()
    {
        // "from city [MASK]" reads "from city" once special tokens are skipped; "##s" would make "citys"
        var t = MiniLm.Tokenizer;
        var piece = Id("##s");
        Assert.False(Allows(Geo.Value.Next(0, Prefix("select * from city")), piece));
        foreach (var special in new[] { t.MaskTokenId, t.ClsTokenId, t.PadTokenId, t.UnkTokenId })
            Assert.False(Allows(Geo.Value.Next(0, [.. Prefix("select * from city"), special]), piece), t.IdToToken(special));
        Assert.Null(Geo.Value.Next(0, [.. Prefix("select * from city"), t.SepTokenId]));             // the row has ended
    }

    [Fact]
    public void EveryGoldQueryIsAllowedAtEveryStep()
    {
        var constraint = Geo.Value;
        int checkedSteps = 0;
        foreach (var example in SqlData.Geography)
        {
            var sql = SqlTargetNormalizer.Normalize(example.Sql);
            var seq = Prefix(sql);
            for (int i = 1; i < seq.Length; i++)
            {
                var allowed = constraint.Next(0, seq[..i]);
                Assert.True(Allows(allowed, (int)seq[i]), $"'{MiniLm.Tokenizer.IdToToken((int)seq[i])}' refused after '{MiniLm.Tokenizer.Decode(seq[..i])}' in {sql}");
                if (allowed is not null) checkedSteps++;
            }
            Assert.True(Allows(constraint.Next(0, seq), MiniLm.Tokenizer.SepTokenId), $"end refused after {sql}");
        }
        Assert.True(checkedSteps > 5000, $"only {checkedSteps} constrained steps");
    }

    [Fact]
    public void EverySpiderDevGoldQueryIsAllowedUnderItsOwnDatabase()
    {
        int queries = 0, constrained = 0;
        foreach (var group in SpiderReader.Read(SqlData.SpiderDir).Where(e => e.DbPath is not null).GroupBy(e => e.DbPath!))
        {
            SqlSchemaConstraint constraint;
            using (var db = ReadOnlyDatabase.Open(group.Key)) constraint = new SqlSchemaConstraint(db.ReadSchema(), MiniLm.Tokenizer);
            foreach (var example in group)
            {
                var seq = Prefix(example.Sql);
                for (int i = 1; i < seq.Length; i++)
                {
                    var allowed = constraint.Next(0, seq[..i]);
                    Assert.True(Allows(allowed, (int)seq[i]), $"'{MiniLm.Tokenizer.IdToToken((int)seq[i])}' refused after '{MiniLm.Tokenizer.Decode(seq[..i])}' in {example.Sql}");
                    if (allowed is not null) constrained++;
                }
                queries++;
            }
        }
        Assert.Equal(972, queries);
        Assert.True(constrained > 8000, $"only {constrained} constrained steps");
    }

    [Fact]
    public void AfterFromOnlyTablesOrASubqueryMayFollow()
    {
        var allowed = Geo.Value.Next(0, Prefix("select count ( * ) from"));
        Assert.NotNull(allowed);
        Assert.False(allowed.Except);
        Assert.Contains(Id("state"), allowed.Ids);
        Assert.Contains(Id("border"), allowed.Ids);
        Assert.Contains(Id("("), allowed.Ids);
        Assert.DoesNotContain(Id("singer"), allowed.Ids);
        Assert.DoesNotContain(Id("where"), allowed.Ids);
        Assert.DoesNotContain(Id("_"), allowed.Ids);
        Assert.DoesNotContain(Id("##s"), allowed.Ids);
        // a comma in the FROM list asks for another table; one in the column list does not
        Assert.Contains(Id("river"), Geo.Value.Next(0, Prefix("select s0.area from state s0 ,"))!.Ids);
        Assert.Null(Geo.Value.Next(0, Prefix("select s0.area ,")));
    }

    [Fact]
    public void ACompleteTableNameIsNotQualifiedIntoOneTheDatabaseLacks()
    {
        // "from river . population ." reads "from river.population." (schema river, table population): no such table
        var allowed = Geo.Value.Next(0, Prefix("select * from river"));
        Assert.NotNull(allowed);
        Assert.False(Allows(allowed, Id(".")));
        Assert.False(Allows(allowed, Id("_")));
        Assert.True(Allows(allowed, Id("r")));                            // an alias, as in "from river r"
        Assert.True(Allows(allowed, Id("where")));
        Assert.True(Allows(allowed, Id(",")));
    }

    [Fact]
    public void AKeywordThatStartsANameOfTheDatabaseMayGoOnIntoIt()
    {
        var schema = new DatabaseSchema([new TableSchema("loans", [new ColumnSchema("from_date", "text", false, [])], [])]);
        var constraint = new SqlSchemaConstraint(schema, MiniLm.Tokenizer);
        var allowed = constraint.Next(0, Prefix("select from"))!;
        Assert.Equal(new[] { Id("_"), Id("loans"), Id("(") }.Order(), allowed.Ids.Order());
        Assert.Null(constraint.Next(0, Prefix("select from _ date")));
        Assert.Equal(new[] { Id("_"), Id("loans"), Id("(") }.Order(), constraint.Next(0, Prefix("select from _ date from"))!.Ids.Order());
    }

    [Fact]
    public void AfterATableOrABoundAliasDotOnlyColumnsMayFollowAndAPartialNameMustGoOn()
    {
        const string from = "select s0.area from state s0 , border_info as bi0 where ";
        foreach (var qualifier in new[] { "s0", "bi0", "state", "border_info" })
        {
            var columns = Geo.Value.Next(0, Prefix(from + qualifier + " ."));
            Assert.NotNull(columns);
            Assert.Contains(Id("population"), columns.Ids);
            Assert.Contains(Id("*"), columns.Ids);
            Assert.DoesNotContain(Id("salary"), columns.Ids);
        }
        var partial = Geo.Value.Next(0, Prefix(from + "s0 . state"));   // state_name is a column, state is not
        Assert.Equal([Id("_")], partial!.Ids);
        var complete = Geo.Value.Next(0, Prefix(from + "s0 . state _ name"));
        Assert.True(complete!.Except);
        Assert.Contains(Id("_"), complete.Ids);                           // no state_name_x
        Assert.Contains(Id("."), complete.Ids);                           // no s0.state_name.x
        Assert.Null(Geo.Value.Next(0, Prefix(from + "s0 . state _ name =")));
    }

    [Fact]
    public void AQualifierNotYetBoundLeavesTheColumnFree()
    {
        // in SQL the column list comes before the FROM that binds its aliases, and a derived table's columns are
        // whatever its subquery names them
        Assert.Null(Geo.Value.Next(0, Prefix("select s0 .")));
        Assert.Null(Geo.Value.Next(0, Prefix("select max ( dt0 .")));
        Assert.Null(Geo.Value.Next(0, Prefix("select * from ( select 1 ) dt0 where dt0 .")));
    }

    [Fact]
    public void LiteralsNumbersAndEndedRowsAreLeftAlone()
    {
        Assert.Null(Geo.Value.Next(0, Prefix("select 1 where x = \" from")));
        Assert.Null(Geo.Value.Next(0, Prefix("with t as ( select 1 ) select * from")));   // a CTE's name is a table
        Assert.Null(Geo.Value.Next(0, Prefix("select 0 .")));
        Assert.NotNull(Geo.Value.Next(0, Prefix("select 1 where x = \" texas \" and from")));
        Assert.Null(Geo.Value.Next(0, [.. Prefix("select * from"), MiniLm.Tokenizer.SepTokenId]));
        Assert.Null(Geo.Value.Next(0, Prefix("select * from ( select")));
    }
}

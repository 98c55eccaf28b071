using Tandem.Tasks.Sql;

namespace Tandem.Tests.Tasks.Sql;

/// <summary>Re-filling GeoQuery's training templates with other database values (<see cref="SqlValueAugmenter"/>).</summary>
public sealed class SqlValueAugmenterTests
{
    static IReadOnlyList<SqlExample> Train => SqlSplits.Standard(SqlData.Geography).Train;

    [Fact]
    public void EachTypeDrawsFromTheColumnThatHoldsItsValues()
    {
        using var db = ReadOnlyDatabase.Open(SqlData.GeographyDb);
        var columns = SqlValueAugmenter.ValueColumns(Train, db);
        Assert.Equal("river_name", columns["river_name"].Column, ignoreCase: true);
        Assert.Equal("mountain_name", columns["mountain_name"].Column, ignoreCase: true);
        Assert.Equal(("state", "capital"), (columns["capital"].Table.ToLowerInvariant(), columns["capital"].Column.ToLowerInvariant()));
        Assert.Equal("state_name", columns["state_name"].Column, ignoreCase: true);
        Assert.Equal(("city", "city_name"), (columns["city_name"].Table.ToLowerInvariant(), columns["city_name"].Column.ToLowerInvariant()));
    }

    [Fact]
    public void VariantsAreNewRunnableAndNameTheirValueInQuestionAndSql()
    {
        using var db = ReadOnlyDatabase.Open(SqlData.GeographyDb);
        var train = Train;
        var added = SqlValueAugmenter.Augment(train, db, copies: 2, seed: 7);
        int templated = train.Count(e => e.Template!.Types.Count > 0);
        Assert.InRange(added.Count, templated, 2 * templated);
        var originals = train.Select(e => (e.Question, e.Sql)).ToHashSet();
        Assert.All(added, a => Assert.DoesNotContain((a.Question, a.Sql), originals));
        Assert.Equal(added.Count, added.Select(a => (a.Question, a.Sql)).Distinct().Count());
        Assert.All(added, a => Assert.Equal("train", a.Split));
        foreach (var a in added)
        {
            var changed = a.Template!.Values.Where(v => a.Template.Types.ContainsKey(v.Key)).Select(v => v.Value);
            Assert.All(changed, v => Assert.Contains(v, a.Question));
            Assert.All(changed, v => Assert.Contains("\"" + v + "\"", a.Sql));
        }
        // Gold queries that run keep running with other values (the 4 broken gold queries stay broken).
        int brokenGold = train.Count(e => !db.Execute(e.Sql).Succeeded);
        int brokenAdded = added.Count(a => !db.Execute(a.Sql).Succeeded);
        Assert.True(brokenAdded <= 2 * brokenGold, $"{brokenAdded} re-filled queries fail to run (gold: {brokenGold})");
    }

    [Fact]
    public void SameSeedSameVariantsAndZeroCopiesNone()
    {
        using var db = ReadOnlyDatabase.Open(SqlData.GeographyDb);
        var a = SqlValueAugmenter.Augment(Train, db, copies: 1, seed: 3);
        var b = SqlValueAugmenter.Augment(Train, db, copies: 1, seed: 3);
        var c = SqlValueAugmenter.Augment(Train, db, copies: 1, seed: 4);
        Assert.Equal(a.Select(e => e.Question), b.Select(e => e.Question));
        Assert.NotEqual(a.Select(e => e.Question), c.Select(e => e.Question));
        Assert.Empty(SqlValueAugmenter.Augment(Train, db, copies: 0));
        Assert.Throws<TandemException>(() => SqlValueAugmenter.Augment(Train, db, copies: -1));
    }

    [Fact]
    public void PairsWithoutTemplatesOrTypedValuesAreLeftAlone()
    {
        using var db = ReadOnlyDatabase.Open(SqlData.GeographyDb);
        var own = new SqlExample("how big is texas", "SELECT AREA FROM STATE WHERE STATE_NAME = \"texas\"", "train");
        Assert.Empty(SqlValueAugmenter.Augment([own], db, copies: 3));
    }

    [Fact]
    public void TwoPlaceholdersOfOneTypeStayDistinct()
    {
        using var db = ReadOnlyDatabase.Open(SqlData.GeographyDb);
        var values = new Dictionary<string, string> { ["state_name0"] = "texas", ["state_name1"] = "ohio" };
        var types = new Dictionary<string, string> { ["state_name0"] = "state_name", ["state_name1"] = "state_name" };
        var t = new SqlTemplate("does state_name0 border state_name1",
            "SELECT BORDER FROM BORDER_INFO WHERE STATE_NAME = \"state_name0\" AND BORDER = \"state_name1\"", values, types);
        var example = new SqlExample(Text2SqlReader.Fill(t.Question, values), Text2SqlReader.Fill(t.Sql, values), "train") { Template = t };
        var added = SqlValueAugmenter.Augment([.. Train, example], db, copies: 20, seed: 1)
            .Where(a => a.Template!.Question == t.Question).ToList();
        Assert.NotEmpty(added);
        Assert.All(added, a => Assert.NotEqual(a.Template!.Values["state_name0"], a.Template.Values["state_name1"]));
    }
}

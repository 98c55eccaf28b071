using Tandem.Tasks.Sql;

namespace Tandem.Tests.Tasks.Sql;

/// <summary>Reader counts against the table in ../shared/data/text2sql-data/README.md, and placeholder filling.</summary>
public sealed class Text2SqlReaderTests
{
    [Theory]
    [InlineData("geography", Text2SqlSplitKind.Question, 549, 49, 279, 0)]
    [InlineData("geography", Text2SqlSplitKind.Query, 536, 159, 182, 0)]
    [InlineData("scholar", Text2SqlSplitKind.Question, 499, 100, 218, 0)]
    [InlineData("scholar", Text2SqlSplitKind.Query, 408, 94, 315, 0)]
    [InlineData("advising", Text2SqlSplitKind.Question, 2629, 229, 573, 956)]
    [InlineData("advising", Text2SqlSplitKind.Query, 2040, 515, 1832, 0)]
    [InlineData("atis", Text2SqlSplitKind.Question, 4347, 486, 447, 0)]
    [InlineData("atis", Text2SqlSplitKind.Query, 4812, 121, 347, 0)]
    public void CountsPerSplitMatchTheDataReadme(string dataset, Text2SqlSplitKind kind, int train, int dev, int test, int exclude)
    {
        var examples = Text2SqlReader.Read(SqlData.Text2Sql(dataset), kind);
        var counts = SqlData.CountBySplit(examples);
        Assert.Equal(train, counts["train"]);
        Assert.Equal(dev, counts["dev"]);
        Assert.Equal(test, counts["test"]);
        Assert.Equal(exclude, counts.GetValueOrDefault("exclude"));
        Assert.Equal(train + dev + test + exclude, examples.Count);
    }

    [Fact]
    public void GeographyStandardSplitKeepsOrMergesDev()
    {
        var kept = SqlSplits.Standard(SqlData.Geography);
        Assert.Equal((549, 49, 279), (kept.Train.Count, kept.Dev.Count, kept.Test.Count));
        var merged = SqlSplits.Standard(SqlData.Geography, mergeDevIntoTrain: true);
        Assert.Equal((598, 0, 279), (merged.Train.Count, merged.Dev.Count, merged.Test.Count));
    }

    [Fact]
    public void HeldOutFoldsPartitionTrainAndDevAndLeaveTestAlone()
    {
        var standard = SqlSplits.Standard(SqlData.Geography);
        var pool = standard.Train.Concat(standard.Dev).ToHashSet();
        var seen = new List<SqlExample>();
        for (int fold = 0; fold < 5; fold++)
        {
            var s = standard.HoldOutFold(fold, 5);
            Assert.Same(standard.Test, s.Test);
            Assert.Equal(598, s.Train.Count + s.Dev.Count);
            Assert.InRange(s.Dev.Count, 119, 120);
            Assert.Empty(s.Dev.Intersect(s.Train));
            Assert.True(s.Dev.All(pool.Contains) && s.Train.All(pool.Contains));
            Assert.Equal(s.Dev, standard.HoldOutFold(fold, 5).Dev);                    // the same fold every time
            seen.AddRange(s.Dev);
        }
        Assert.Equal(598, seen.Distinct().Count());                                     // each pair is held out once
        Assert.Contains(standard.Dev[0], seen);
        Assert.NotEqual(standard.Dev, standard.HoldOutFold(0, 5).Dev.Take(49));          // folds mix train and dev
        Assert.Throws<TandemException>(() => standard.HoldOutFold(5, 5));
        Assert.Throws<TandemException>(() => standard.HoldOutFold(0, 1));
    }

    [Fact]
    public void AdvisingDropsExclude()
    {
        var s = SqlSplits.Standard(Text2SqlReader.Read(SqlData.Text2Sql("advising")));
        Assert.Equal((2629, 229, 573), (s.Train.Count, s.Dev.Count, s.Test.Count));
    }

    [Theory]
    [InlineData("restaurants", 378)]
    [InlineData("academic", 196)]
    [InlineData("imdb", 131)]
    [InlineData("yelp", 128)]
    public void SmallDatasetsHaveTenFolds(string dataset, int total)
    {
        foreach (var kind in new[] { Text2SqlSplitKind.Question, Text2SqlSplitKind.Query })
        {
            var examples = Text2SqlReader.Read(SqlData.Text2Sql(dataset), kind);
            Assert.Equal(total, examples.Count);
            Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString()), SqlData.CountBySplit(examples).Keys.Order());
            for (int fold = 0; fold < 10; fold++)
            {
                var s = SqlSplits.CrossValidation(examples, fold);
                Assert.Empty(s.Dev);
                Assert.Equal(total, s.Train.Count + s.Test.Count);
                Assert.All(s.Test, e => Assert.Equal(fold.ToString(), e.Split));
            }
        }
    }

    [Fact]
    public void RestaurantsQuestionFoldsAre38Or37()
    {
        var counts = SqlData.CountBySplit(Text2SqlReader.Read(SqlData.Text2Sql("restaurants")));
        Assert.Equal(8, counts.Values.Count(c => c == 38));
        Assert.Equal(2, counts.Values.Count(c => c == 37));
    }

    [Fact]
    public void StandardRefusesFoldsAndCrossValidationRefusesNames()
    {
        var fold = new SqlExample("q", "s", "3");
        var named = new SqlExample("q", "s", "train");
        Assert.Throws<TandemException>(() => SqlSplits.Standard([fold]));
        Assert.Throws<TandemException>(() => SqlSplits.CrossValidation([named], 0));
        Assert.Throws<TandemException>(() => SqlSplits.CrossValidation([fold], 10));
    }

    [Fact]
    public void FillsPlaceholdersInQuestionAndSql()
    {
        var first = SqlData.Geography[0];
        Assert.Equal("what is the biggest city in arizona", first.Question);
        Assert.Contains("\"arizona\"", first.Sql);
        Assert.DoesNotContain("state_name0", first.Sql);
        Assert.Equal("geography", first.DbId);
        Assert.Equal(SqlData.GeographyDb, first.DbPath);
        Assert.All(SqlData.Geography, e => Assert.DoesNotMatch(@"\b(state_name|city_name|river_name|capital|mountain_name|highest_point|lowest_point|country_name)[0-9]\b", e.Question + " " + e.Sql));
    }

    [Fact]
    public void ReadDatasetFindsTheDatabase()
    {
        var examples = Text2SqlReader.ReadDataset(TestSupport.Paths.Shared("data", "text2sql-data"), "geography", Text2SqlSplitKind.Query);
        Assert.Equal(877, examples.Count);
        Assert.All(examples, e => Assert.Equal(SqlData.GeographyDb, e.DbPath));
        Assert.All(Text2SqlReader.ReadDataset(TestSupport.Paths.Shared("data", "text2sql-data"), "imdb"), e => Assert.Null(e.DbPath));
    }

    [Fact]
    public void FillIsOnePassAndWholeWord()
    {
        var values = new Dictionary<string, string> { ["var0"] = "var1", ["var1"] = "x", ["city_name0"] = "new york" };
        Assert.Equal("var1 x var01 \"new york\" city_name0x", Text2SqlReader.Fill("var0 var1 var01 \"city_name0\" city_name0x", values));
    }

    [Fact]
    public void SqlOnlyVariablesUseTheirExample()
    {
        using var dir = new TestSupport.TempDir();
        string path = dir["tiny.json"];
        File.WriteAllText(path, """
            [{"query-split": "test", "sql": ["SELECT a FROM t WHERE d = \"department0\" AND n = number0 ;"],
              "variables": [{"example": "EECS", "location": "sql-only", "name": "department0", "type": "department"},
                            {"example": "595", "location": "both", "name": "number0", "type": "number"}],
              "sentences": [{"question-split": "train", "text": "Is course number0 open ?",
                             "variables": {"department0": "", "number0": "519"}}]}]
            """);
        var e = Assert.Single(Text2SqlReader.Read(path));
        Assert.Equal("Is course 519 open ?", e.Question);
        Assert.Equal("SELECT a FROM t WHERE d = \"EECS\" AND n = 519 ;", e.Sql);
        Assert.Equal("train", e.Split);
        Assert.Equal("test", Assert.Single(Text2SqlReader.Read(path, Text2SqlSplitKind.Query)).Split);
    }
}

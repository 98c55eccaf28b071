using Tandem.Tasks.Sql;

namespace Tandem.Tests.Tasks.Sql;

public class SqlAskerChoiceTests
{
    const string Broken = "select s0.no_such_column from state s0";
    const string Empty = "select s0.capital from state s0 where s0.state_name = \"albany\"";
    const string NullOnly = "select max ( s0.area ) from state s0 where s0.state_name = \"albany\"";
    const string Answer = "select s0.area from state s0 where s0.capital = \"albany\"";

    [Fact]
    public void TheFirstCandidateThatAnswersWinsOverEarlierEmptyOrBrokenOnes()
    {
        using var db = ReadOnlyDatabase.Open(SqlData.GeographyDb);
        var (index, result) = SqlAsker.Choose(db, [Broken, Empty, NullOnly, Answer]);
        Assert.Equal(3, index);
        Assert.Single(result.Rows);
        Assert.True(SqlAsker.HasAnswer(result));
        Assert.False(SqlAsker.HasAnswer(db.Execute(NullOnly)));                                 // one row, all null
    }

    [Fact]
    public void WithoutAnAnswerTheFirstThatRunsIsTakenAndWithoutThatTheModelsBest()
    {
        using var db = ReadOnlyDatabase.Open(SqlData.GeographyDb);
        Assert.Equal(1, SqlAsker.Choose(db, [Broken, Empty, NullOnly]).Index);
        var (index, result) = SqlAsker.Choose(db, [Broken, Broken + " x"]);
        Assert.Equal(0, index);
        Assert.Contains("no_such_column", result.Error);
    }

    [Fact]
    public void WithoutPreferringAnswersTheFirstThatRunsWins()
    {
        using var db = ReadOnlyDatabase.Open(SqlData.GeographyDb);
        Assert.Equal(1, SqlAsker.Choose(db, [Broken, Empty, Answer], preferAnswers: false).Index);
        Assert.Throws<TandemException>(() => SqlAsker.Choose(db, []));
    }
}

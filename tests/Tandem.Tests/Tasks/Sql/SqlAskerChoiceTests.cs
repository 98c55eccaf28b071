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
        Assert.Equal(1, SqlAsker.Choose(db, [Broken, Empty, Answer], SqlChoice.FirstRuns).Index);
        Assert.Throws<TandemException>(() => SqlAsker.Choose(db, []));
    }

    const string Population = "select s0.population from state s0 where s0.capital = \"albany\"";
    const string SamePopulation = "select s0.population from state s0 where s0.state_name = \"new york\"";

    [Fact]
    public void AVoteTakesTheAnswerMostCandidatesAgreeOnAndItsFirstCandidate()
    {
        using var db = ReadOnlyDatabase.Open(SqlData.GeographyDb);
        Assert.True(ExecutionMatch.Same(db, SamePopulation, Population));                      // two spellings, one answer
        Assert.Equal(2, SqlAsker.Choose(db, [Broken, Answer, Population, Empty, SamePopulation], SqlChoice.Vote).Index);
        // Probability outweighs numbers: one confident candidate beats two unlikely ones that agree.
        double[] logp = [-1, -0.1, -5, -1, -5];
        Assert.Equal(1, SqlAsker.Choose(db, [Broken, Answer, Population, Empty, SamePopulation], SqlChoice.Vote, logp).Index);
        // Two candidates of nearly equal probability that agree beat a slightly likelier one alone.
        Assert.Equal(1, SqlAsker.Choose(db, [Answer, Population, SamePopulation], SqlChoice.Vote, [-1.0, -1.2, -1.3]).Index);
    }

    [Fact]
    public void AVoteWithoutAnswersFallsBackToTheFirstThatRunsAndChecksItsInputs()
    {
        using var db = ReadOnlyDatabase.Open(SqlData.GeographyDb);
        Assert.Equal(1, SqlAsker.Choose(db, [Broken, Empty, NullOnly], SqlChoice.Vote).Index);
        Assert.Equal(0, SqlAsker.Choose(db, [Broken, Broken + " x"], SqlChoice.Vote).Index);
        Assert.Throws<TandemException>(() => SqlAsker.Choose(db, [Answer, Population], SqlChoice.Vote, [-1.0]));
    }
}

public class SqlLiteralPreferenceTests
{
    const string Hawaii = "select bi0.border from border_info bi0 where bi0.state_name = \"hawaii\"";      // runs, no rows
    const string Idaho = "select bi0.border from border_info bi0 where bi0.state_name = \"idaho\"";        // answers
    const string Broken = "select bi0.no_such_column from border_info bi0 where bi0.state_name = \"hawaii\"";
    const string NoLiteral = "select count ( s0.state_name ) from state s0";

    [Fact]
    public void LiteralsAreFoundAsWholeWordsInTheQuestion()
    {
        Assert.True(SqlLiterals.AllInQuestion(Hawaii, "What states border Hawaii?"));
        Assert.False(SqlLiterals.AllInQuestion(Idaho, "what states border hawaii"));
        Assert.True(SqlLiterals.AllInQuestion(NoLiteral, "how many states are there"));
        Assert.True(SqlLiterals.AllInQuestion("select c0.population from city c0 where c0.city_name = 'des moines'", "how big is des-moines"));
        Assert.False(SqlLiterals.AllInQuestion("select c0.population from city c0 where c0.city_name = \"dover\"", "where is andover"));
        Assert.True(SqlLiterals.Occurs("New York", "rivers in new york state"));
    }

    [Fact]
    public void ACandidateSpellingTheQuestionsNamesWinsEvenWithoutRowsButNeverOverNothing()
    {
        using var db = ReadOnlyDatabase.Open(SqlData.GeographyDb);
        const string question = "what states border hawaii";
        Assert.Equal(1, SqlAsker.Choose(db, [Hawaii, Idaho]).Index);                                 // no preference: rows win
        Assert.Equal(1, SqlAsker.Choose(db, [Idaho, Hawaii], question: question).Index);             // the question's name wins
        Assert.Equal(1, SqlAsker.Choose(db, [Idaho, Hawaii], SqlChoice.Vote, question: question).Index);
        Assert.Equal(0, SqlAsker.Choose(db, [Idaho, Broken], question: question).Index);             // a faithful one must run
        Assert.Equal(0, SqlAsker.Choose(db, [Idaho, Idaho], question: question).Index);              // none faithful: as before
    }
}

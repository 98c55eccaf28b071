using Tandem.Tasks.Sql;

namespace Tandem.Tests.Tasks.Sql;

/// <summary>Normalised exact match.</summary>
public sealed class SqlExactMatchTests
{
    [Fact]
    public void IgnoresSpacingCaseQuotesAndSemicolon()
    {
        const string gold = "SELECT MAX( RIVERalias0.LENGTH ) FROM RIVER AS RIVERalias0 WHERE RIVERalias0.TRAVERSE = \"texas\" ;";
        Assert.True(SqlExactMatch.Matches("select max(riveralias0.length) from river as riveralias0 where riveralias0.traverse = 'texas'", gold));
        Assert.Equal("select max ( riveralias0 . length ) from river as riveralias0 where riveralias0 . traverse = 'texas'", SqlExactMatch.Normalize(gold));
    }

    [Fact]
    public void LiteralsAndNumbersStayExact()
    {
        Assert.False(SqlExactMatch.Matches("SELECT a FROM t WHERE b = 'Texas'", "SELECT a FROM t WHERE b = 'texas'"));
        Assert.False(SqlExactMatch.Matches("SELECT a FROM t WHERE b = 'new  york'", "SELECT a FROM t WHERE b = 'new york'"));
        Assert.False(SqlExactMatch.Matches("SELECT a FROM t LIMIT 2", "SELECT a FROM t LIMIT 1"));
        Assert.True(SqlExactMatch.Matches("SELECT a FROM t WHERE b = 'it''s'", "SELECT a FROM t WHERE b = \"it's\""));
    }

    [Fact]
    public void OperatorsAreTokens()
    {
        Assert.True(SqlExactMatch.Matches("SELECT a FROM t WHERE b>=1", "SELECT a FROM t WHERE b >= 1"));
        Assert.False(SqlExactMatch.Matches("SELECT a FROM t WHERE b > = 1", "SELECT a FROM t WHERE b >= 1"));
    }
}

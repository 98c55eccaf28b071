using Tandem.Tasks.Sql;

namespace Tandem.Tests.Tasks.Sql;

/// <summary>Row comparison: order, duplicates, value types.</summary>
public sealed class ExecutionMatchTests
{
    static QueryResult Rows(params object?[][] rows) =>
        new() { Columns = rows.Length == 0 ? ["a"] : rows[0].Select((_, i) => "c" + i).ToArray(), Rows = rows };

    [Fact]
    public void OrderMattersOnlyWhenAsked()
    {
        var ab = Rows([1L], [2L]);
        var ba = Rows([2L], [1L]);
        Assert.True(ExecutionMatch.Same(ab, ba, ordered: false));
        Assert.False(ExecutionMatch.Same(ab, ba, ordered: true));
        Assert.True(ExecutionMatch.Same(ab, Rows([1L], [2L]), ordered: true));
    }

    [Fact]
    public void DuplicatesCount()
    {
        Assert.False(ExecutionMatch.Same(Rows([1L], [1L], [2L]), Rows([1L], [2L], [2L]), ordered: false));
        Assert.False(ExecutionMatch.Same(Rows([1L], [1L]), Rows([1L]), ordered: false));
        Assert.True(ExecutionMatch.Same(Rows([1L], [2L], [1L]), Rows([1L], [1L], [2L]), ordered: false));
    }

    [Fact]
    public void NumbersCompareByValueTextExactly()
    {
        Assert.True(ExecutionMatch.Same(Rows([1L, "x"]), Rows([1.0, "x"]), ordered: true));
        Assert.True(ExecutionMatch.Same(Rows([0.1 + 0.2]), Rows([0.3]), ordered: true));
        Assert.False(ExecutionMatch.Same(Rows([1L]), Rows(["1"]), ordered: true));
        Assert.False(ExecutionMatch.Same(Rows(["Texas"]), Rows(["texas"]), ordered: true));
        Assert.False(ExecutionMatch.Same(Rows(["texas "]), Rows(["texas"]), ordered: true));
        Assert.False(ExecutionMatch.Same(Rows([1.5]), Rows([1L]), ordered: true));
        Assert.False(ExecutionMatch.Same(Rows(new object?[] { null }), Rows([0L]), ordered: true));
        Assert.False(ExecutionMatch.Same(Rows(new object?[] { null }), Rows(["null"]), ordered: true));
        Assert.True(ExecutionMatch.Same(Rows(new object?[] { null }), Rows(new object?[] { null }), ordered: true));
    }

    [Fact]
    public void ColumnsArePositionalAndCounted()
    {
        Assert.False(ExecutionMatch.Same(Rows([1L, 2L]), Rows([2L, 1L]), ordered: false));
        Assert.False(ExecutionMatch.Same(Rows([1L, 2L]), Rows([1L]), ordered: false));
        Assert.False(ExecutionMatch.Same(Rows(["a\u001f", "b"]), Rows(["a", "\u001fb"]), ordered: false));
    }

    [Fact]
    public void ErrorsAndTruncationNeverMatch()
    {
        var error = new QueryResult { Error = "x" };
        Assert.False(ExecutionMatch.Same(error, error, ordered: false));
        var cut = new QueryResult { Columns = ["a"], Rows = [[1L]], Truncated = true };
        Assert.False(ExecutionMatch.Same(cut, cut, ordered: false));
    }

    [Theory]
    [InlineData("SELECT a FROM t ORDER BY a", true)]
    [InlineData("select a from t order\n by a desc limit 1", true)]
    [InlineData("SELECT a FROM t WHERE b = 'order by'", false)]
    [InlineData("SELECT a FROM (SELECT a FROM t ORDER BY a LIMIT 3)", true)]
    [InlineData("SELECT border FROM t", false)]
    public void DetectsOrderBy(string sql, bool expected) => Assert.Equal(expected, ExecutionMatch.HasOrderBy(sql));

    [Fact]
    public void OnTheDatabase()
    {
        using var db = ReadOnlyDatabase.Open(SqlData.GeographyDb);
        Assert.True(ExecutionMatch.Same(db, "select state_name from state where population > 10000000",
            "SELECT STATEalias0.STATE_NAME FROM STATE AS STATEalias0 WHERE STATEalias0.POPULATION > 10000000 ;"));
        Assert.False(ExecutionMatch.Same(db, "SELECT STATE_NAME FROM STATE ORDER BY STATE_NAME DESC",
            "SELECT STATE_NAME FROM STATE ORDER BY STATE_NAME"));
        Assert.True(ExecutionMatch.Same(db, "SELECT STATE_NAME FROM STATE ORDER BY STATE_NAME DESC",
            "SELECT STATE_NAME FROM STATE"));
        Assert.False(ExecutionMatch.Same(db, "SELECT NOPE FROM STATE", "SELECT STATE_NAME FROM STATE"));
    }
}

using Tandem.Tasks.Sql;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Tasks.Sql;

public class SqlValueLinkerTests
{
    static readonly string Db = Paths.Shared("data", "text2sql-data", "derived", "geography-v4.sqlite");

    [Theory]
    [InlineData("which states does the chattahoochee river run through",
        "select r0.traverse from river r0 where r0.river_name = \"mississippi\"",
        "select r0.traverse from river r0 where r0.river_name = \"chattahoochee\"")]
    [InlineData("what states border new jersey",
        "SELECT BORDER_INFOalias0.BORDER FROM BORDER_INFO AS BORDER_INFOalias0 WHERE BORDER_INFOalias0.STATE_NAME = \"new york\" ;",
        "SELECT BORDER_INFOalias0.BORDER FROM BORDER_INFO AS BORDER_INFOalias0 WHERE BORDER_INFOalias0.STATE_NAME = \"new jersey\" ;")]
    [InlineData("what state is miami in",
        "select c0.state_name from city c0 where c0.city_name = \"florida\"",
        "select c0.state_name from city c0 where c0.city_name = \"miami\"")]
    public void AWronglyCopiedNameIsReplacedByTheOneInTheQuestion(string question, string predicted, string expected)
    {
        using var linker = new SqlValueLinker(Db);
        Assert.Equal(expected, linker.Link(predicted, question));
    }

    [Theory]
    [InlineData("how big is texas", "select s0.area from state s0 where s0.state_name = \"texas\"")]
    [InlineData("what is the capital of the state with the largest area",
        "select s0.capital from state s0 where s0.area = ( select max ( s1.area ) from state s1 )")]
    [InlineData("where is the kalamazoo", "select r0.traverse from river r0 where r0.traverse = \"nowhere\"")]
    public void CorrectOrUnrepairableQueriesAreLeftAlone(string question, string sql)
    {
        using var linker = new SqlValueLinker(Db);
        Assert.Equal(sql, linker.Link(sql, question));
    }
}

using Tandem.Tasks.Sql;
using Tandem.Tests.Tokenization;
using Xunit.Abstractions;

namespace Tandem.Tests.Tasks.Sql;

/// <summary>The shorter training targets: what the rewrite does and what it saves in WordPiece tokens.</summary>
public sealed class SqlTargetNormalizerTests(ITestOutputHelper output)
{
    [Fact]
    public void ShortensAliasesDropsAsAndLowerCases()
    {
        const string gold = "SELECT CITYalias0.CITY_NAME FROM CITY AS CITYalias0 WHERE CITYalias0.POPULATION = ( SELECT MAX( CITYalias1.POPULATION ) FROM CITY AS CITYalias1 WHERE CITYalias1.STATE_NAME = \"Texas\" ) ;";
        Assert.Equal("select c0.city_name from city c0 where c0.population = ( select max ( c1.population ) from city c1 where c1.state_name = \"Texas\" )",
            SqlTargetNormalizer.Normalize(gold));
    }

    [Fact]
    public void DerivedAliasesAndColumnAliases()
    {
        const string gold = "SELECT MAX( DERIVED_TABLEalias0.DERIVED_FIELDalias0 ) FROM ( SELECT COUNT( 1 ) AS DERIVED_FIELDalias0 FROM STATE AS STATEalias0 ) AS DERIVED_TABLEalias0 ;";
        Assert.Equal("select max ( dt0.df0 ) from ( select count ( 1 ) df0 from state s0 ) dt0",
            SqlTargetNormalizer.Normalize(gold));
    }

    [Fact]
    public void FallsBackWhenANewNameWouldClash()
    {
        Assert.Equal("select c0 , city0.x from city city0",
            SqlTargetNormalizer.Normalize("SELECT C0 , CITYalias0.X FROM CITY AS CITYalias0"));
        Assert.Equal("select c0 , city0 , cityalias0.x from city cityalias0",
            SqlTargetNormalizer.Normalize("SELECT C0 , CITY0 , CITYalias0.X FROM CITY AS CITYalias0"));
        // Two tables with the same initials: full names.
        Assert.Equal("select city0.a , course0.b from city city0 , course course0",
            SqlTargetNormalizer.Normalize("SELECT CITYalias0.A , COURSEalias0.B FROM CITY AS CITYalias0 , COURSE AS COURSEalias0"));
    }

    [Fact]
    public void LeavesStringsAlone()
    {
        Assert.Equal("select a from t where b = 'CITYalias0 AS x'", SqlTargetNormalizer.Normalize("SELECT A FROM T WHERE B = 'CITYalias0 AS x'"));
    }

    [Fact]
    public void TargetsGetShorterInWordPiece()
    {
        var tok = TokenizerFixtures.Real;
        var before = SqlData.Geography.Select(e => tok.EncodeToIds(e.Sql, addSpecialTokens: false).Count).Order().ToArray();
        var after = SqlData.Geography.Select(e => tok.EncodeToIds(SqlTargetNormalizer.Normalize(e.Sql), addSpecialTokens: false).Count).Order().ToArray();
        string Stats(int[] n) => $"mean {n.Average():0.0}, median {n[n.Length / 2]}, p90 {n[n.Length * 9 / 10]}, max {n[^1]}";
        output.WriteLine($"GeoQuery targets in bert-base-uncased WordPiece ({before.Length} examples, no [CLS]/[SEP])");
        output.WriteLine($"  gold:       {Stats(before)}");
        output.WriteLine($"  normalised: {Stats(after)}");
        output.WriteLine($"  total tokens {before.Sum()} -> {after.Sum()} ({100.0 * after.Sum() / before.Sum():0.0} %)");
        Assert.True(after.Sum() < 0.8 * before.Sum());
        Assert.True(after[^1] < before[^1]);
    }
}

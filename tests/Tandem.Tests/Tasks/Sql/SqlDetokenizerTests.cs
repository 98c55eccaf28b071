using Tandem.Tasks.Sql;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Tasks.Sql;

public class SqlDetokenizerTests
{
    static string RoundTrip(string sql, string? question = null)
    {
        var tok = MiniLm.Tokenizer;
        var ids = tok.EncodeToIds(sql, addSpecialTokens: false).Select(i => (long)i);
        return SqlDetokenizer.Detokenize(tok.ConvertIdsToTokens(ids), question);
    }

    [Theory]
    [InlineData("SELECT CITYalias0.CITY_NAME FROM CITY AS CITYalias0 WHERE CITYalias0.POPULATION >= 150000 ;")]
    [InlineData("select c0.city_name from city as c0 where c0.state_name = \"new york\" and c0.population <> 0.5")]
    [InlineData("SELECT COUNT( DISTINCT RIVERalias0.RIVER_NAME ) FROM RIVER AS RIVERalias0 WHERE RIVERalias0.TRAVERSE != \"texas\" ;")]
    public void GoldQueriesSurviveTheWordPieceRoundTrip(string sql)
    {
        Assert.Equal(SqlExactMatch.Normalize(sql), SqlExactMatch.Normalize(RoundTrip(sql)));
    }

    [Fact]
    public void LiteralsAreSpelledAsInTheQuestion()
    {
        var sql = "select c0.population from city as c0 where c0.city_name = \"st. paul\"";
        Assert.Contains("\"st.paul\"", RoundTrip(sql).Replace(" ", "") );
        Assert.Contains("= \"st. paul\"", RoundTrip(sql, "how many people live in st. paul ?"));
        Assert.Contains("= \"winston-salem\"", RoundTrip("select 1 where x = \"winston-salem\"", "is winston-salem big"));
    }

    [Fact]
    public void EveryGeoQueryTargetSurvivesTheRoundTripAsRawAndNormalisedSql()
    {
        var examples = Text2SqlReader.ReadDataset(Paths.Shared("data", "text2sql-data"), "geography");
        var failures = new List<string>();
        foreach (var e in examples)
            foreach (var sql in new[] { e.Sql, SqlTargetNormalizer.Normalize(e.Sql) })
                if (SqlExactMatch.Normalize(RoundTrip(sql, e.Question)) != SqlExactMatch.Normalize(sql)) failures.Add(sql);
        Assert.True(failures.Count == 0, $"{failures.Count} of {2 * examples.Count} differ, e.g. {failures.FirstOrDefault()} -> {(failures.Count > 0 ? RoundTrip(failures[0]) : "")}");
    }

    [Fact]
    public void OnlyAWordPieceTokenizerIsAccepted()
    {
        Assert.Same(MiniLm.Tokenizer, SqlDetokenizer.WordPiece(MiniLm.Tokenizer));
        var gpt2 = Tandem.Tokenization.AutoTokenizer.FromPretrained(Paths.Shared("reference", "tokenizers", "gpt2"));
        var e = Assert.Throws<Tandem.TandemException>(() => SqlDetokenizer.WordPiece(gpt2));
        Assert.Contains("target tokenizer is byte-level BPE (tokenizer.json)", e.Message);
    }

    [Fact]
    public void AWordPieceTokenizerJsonWithItsVocabTxtIsReadAsTheVocabTxtTokenizer()
    {
        using var tmp = Paths.TempDir();
        File.WriteAllLines(tmp["sql.txt"], Enumerable.Repeat("SELECT city_name FROM city WHERE population > 150000 ;", 20));
        Tandem.Tokenization.Training.WordPieceTrainer.TrainAndSave([tmp["sql.txt"]], new() { VocabSize = 100 }, tmp["tok"]);
        var json = Tandem.Tokenization.AutoTokenizer.FromPretrained(tmp["tok"]);
        Assert.IsNotType<Tandem.Tokenization.WordPieceTokenizer>(json);
        var wordPiece = SqlDetokenizer.WordPiece(json);
        Assert.Equal(json.EncodeToIds("SELECT city_name FROM state"), wordPiece.EncodeToIds("SELECT city_name FROM state"));
    }
}

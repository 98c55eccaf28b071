using System.Text;
using Tandem.Tests.TestSupport;
using Tandem.Tokenization;
using Tandem.Tokenization.Training;

namespace Tandem.Tests.Tokenization.Training;

public class WordPieceTrainerTests
{
    static readonly string[] Sql =
    [
        "SELECT state_name FROM state WHERE population = ( SELECT MAX ( population ) FROM state )",
        "SELECT city_name FROM city WHERE state_name = 'texas' ;",
        "SELECT COUNT ( * ) FROM river WHERE traverse = 'colorado'",
        "SELECT area FROM state WHERE state_name = 'new mexico'",
        "SELECT DISTINCT border FROM border_info WHERE state_name = 'Baden-Württemberg' -- café, naïve, 東京",
    ];

    static string Corpus(TestSupport.TempDir tmp, int repeat = 20)
    {
        var path = tmp["corpus.txt"];
        File.WriteAllLines(path, Enumerable.Repeat(Sql, repeat).SelectMany(x => x));
        return path;
    }

    [Fact]
    public void TheTrainedVocabularyLoadsBackAndReadsItsCorpusWithoutUnk()
    {
        using var tmp = Paths.TempDir();
        var corpus = Corpus(tmp);
        var trained = WordPieceTrainer.Train([corpus], new VocabularyTrainingOptions { VocabSize = 300, MinFrequency = 2 });
        trained.SavePretrained(tmp["tok"]);
        var loaded = WordPieceTokenizer.FromPretrained(tmp["tok"]);
        Assert.Equal(trained.VocabSize, loaded.VocabSize);
        Assert.True(loaded.VocabSize <= 300 || loaded.VocabSize == 5 + 2 * Sql.SelectMany(l => l).Where(c => c != ' ').Distinct().Count(),
            $"vocab {loaded.VocabSize}");
        foreach (var line in Sql)
        {
            var ids = loaded.EncodeToIds(line);
            Assert.DoesNotContain(loaded.UnkTokenId, ids);
            Assert.Equal(line.Replace(" ", "").Replace("(", "").Replace(")", ""),
                         loaded.Decode(ids.Select(i => (long)i)).Replace(" ", "").Replace("(", "").Replace(")", ""));   // cased, accents kept
        }
        // a frequent word became one piece; special tokens come first
        Assert.Single(loaded.EncodeToIds("SELECT", addSpecialTokens: false));
        Assert.Equal(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"], loaded.ConvertIdsToTokens([0, 1, 2, 3, 4], skipSpecialTokens: false));
    }

    [Fact]
    public void ANewWordOfSeenCharactersIsNeverUnk()
    {
        using var tmp = Paths.TempDir();
        var trained = WordPieceTrainer.Train([Corpus(tmp)], new VocabularyTrainingOptions { VocabSize = 200 });
        Assert.DoesNotContain(trained.UnkTokenId, trained.EncodeToIds("ELECT Tsa MEXICO"));
    }

    [Fact]
    public void LowercaseAndAccentsFollowBertsRules()
    {
        using var tmp = Paths.TempDir();
        var trained = WordPieceTrainer.Train([Corpus(tmp)], new VocabularyTrainingOptions { VocabSize = 200, Lowercase = true });
        Assert.Equal("select", Text(trained, "SELECT"));
        Assert.Equal("cafe", Text(trained, "Café"));   // strip_accents follows lowercase
    }

    static string Text(WordPieceTokenizer t, string s) => t.Decode(t.EncodeToIds(s).Select(i => (long)i));

    [Fact]
    public void TheSameCorpusGivesTheSameVocabulary()
    {
        using var tmp = Paths.TempDir();
        var corpus = Corpus(tmp);
        var a = WordPieceTrainer.Train([corpus], new VocabularyTrainingOptions { VocabSize = 150 });
        var b = WordPieceTrainer.Train([corpus], new VocabularyTrainingOptions { VocabSize = 150 });
        a.SavePretrained(tmp["a"]);
        b.SavePretrained(tmp["b"]);
        Assert.Equal(File.ReadAllText(tmp["a/vocab.txt"]), File.ReadAllText(tmp["b/vocab.txt"]));
    }

    [Fact]
    public void MinFrequencyStopsTheMerges()
    {
        using var tmp = Paths.TempDir();
        var corpus = Corpus(tmp, repeat: 1);
        var strict = WordPieceTrainer.Train([corpus], new VocabularyTrainingOptions { VocabSize = 5000, MinFrequency = 1000 });
        var loose = WordPieceTrainer.Train([corpus], new VocabularyTrainingOptions { VocabSize = 5000, MinFrequency = 1 });
        Assert.True(strict.VocabSize < loose.VocabSize, $"{strict.VocabSize} vs {loose.VocabSize}");
    }

    [Fact]
    public void BadCorpusFilesAreOneClearError()
    {
        using var tmp = Paths.TempDir();
        Assert.Contains("corpus file not found", Assert.Throws<TandemException>(() => WordPieceTrainer.Train([tmp["none.txt"]], new())).Message);
        File.WriteAllBytes(tmp["bad.txt"], [.. Encoding.UTF8.GetBytes("select\n"), 0xff, 0xfe, (byte)'\n']);
        Assert.Contains("not UTF-8", Assert.Throws<TandemException>(() => WordPieceTrainer.Train([tmp["bad.txt"]], new())).Message);
        File.WriteAllText(tmp["empty.txt"], "\n\n");
        Assert.Contains("no words", Assert.Throws<TandemException>(() => WordPieceTrainer.Train([tmp["empty.txt"]], new())).Message);
        Assert.Contains("too small", Assert.Throws<TandemException>(() => WordPieceTrainer.Train([tmp["empty.txt"]], new() { VocabSize = 3 })).Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheTokenizerJsonWrittenBesideVocabTxtGivesTheSameIds(bool lowercase)
    {
        using var tmp = Paths.TempDir();
        WordPieceTrainer.TrainAndSave([Corpus(tmp)], new VocabularyTrainingOptions { VocabSize = 200, Lowercase = lowercase }, tmp["tok"]);
        var fromVocab = WordPieceTokenizer.FromPretrained(tmp["tok"]);
        var fromJson = AutoTokenizer.FromPretrained(tmp["tok"]);
        Assert.Contains("tokenizer.json", fromJson.Kind);
        foreach (var text in Sql.Append("Naïve CAFÉ 東京 unseen-words, 123"))
        {
            var ids = fromVocab.EncodeToIds(text);
            Assert.Equal(ids, fromJson.EncodeToIds(text));
            Assert.Equal(fromVocab.Decode(ids.Select(i => (long)i)), fromJson.Decode(ids.Select(i => (long)i)));
        }
        Assert.Equal(fromVocab.Encode(["SELECT area"], ["FROM state"]).InputIds, fromJson.Encode(["SELECT area"], ["FROM state"]).InputIds);
        ByteLevelBpeTrainerTests.AssertSameSchema(Paths.Reference("tokenizers", "bert-base-uncased", "tokenizer.json"), tmp["tok/tokenizer.json"]);
    }
}

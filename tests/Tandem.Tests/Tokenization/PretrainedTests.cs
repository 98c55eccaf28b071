using System.Text.Json;
using Tandem.Tokenization;
using Xunit;
using static Tandem.Tests.Tokenization.TokenizerFixtures;

namespace Tandem.Tests.Tokenization;

public sealed class PretrainedTests
{
    [Fact]
    public void ReadsConfigAndSpecialTokensMap()
    {
        using var dir = new TempDir();
        WriteSmall(dir,
            """{"do_lower_case": false, "strip_accents": true, "model_max_length": 128, "cls_token": {"content": "[CLS]", "__type": "AddedToken"}, "mask_token": "[UNK]"}""",
            """{"mask_token": "[MASK]", "pad_token": "[PAD]"}""");
        var t = WordPieceTokenizer.FromPretrained(dir.Path);
        Assert.False(t.DoLowerCase);
        Assert.True(t.StripAccents);
        Assert.Equal(128, t.ModelMaxLength);
        Assert.Equal(4, t.MaskTokenId);
        Assert.Equal([2, 25, 20, 3], t.EncodeToIds("Hello café"));
    }

    [Fact]
    public void HugeModelMaxLengthMeansNone()
    {
        using var dir = new TempDir();
        WriteSmall(dir, """{"model_max_length": 1000000000000000019884624838656}""");
        Assert.Null(WordPieceTokenizer.FromPretrained(dir.Path).ModelMaxLength);
    }

    [Fact]
    public void MalformedConfigNamesTheFile()
    {
        using var dir = new TempDir();
        WriteSmall(dir, "{ not json");
        var e = Assert.Throws<TandemException>(() => WordPieceTokenizer.FromPretrained(dir.Path));
        Assert.Contains("tokenizer_config.json", e.Message);
    }

    [Fact]
    public void SaveThenLoadRoundTrips()
    {
        using var src = new TempDir();
        using var dst = new TempDir();
        WriteSmall(src, """{"do_lower_case": true, "model_max_length": 64}""");
        var t = WordPieceTokenizer.FromPretrained(src.Path);
        t.SavePretrained(dst.Path);

        Assert.Equal(File.ReadAllBytes(src.File("vocab.txt")), File.ReadAllBytes(dst.File("vocab.txt")));
        using var config = JsonDocument.Parse(File.ReadAllText(dst.File("tokenizer_config.json")));
        Assert.Equal("BertTokenizer", config.RootElement.GetProperty("tokenizer_class").GetString());
        Assert.Equal(64, config.RootElement.GetProperty("model_max_length").GetInt32());
        Assert.True(config.RootElement.GetProperty("do_lower_case").GetBoolean());
        using var map = JsonDocument.Parse(File.ReadAllText(dst.File("special_tokens_map.json")));
        Assert.Equal("[SEP]", map.RootElement.GetProperty("sep_token").GetString());

        var back = WordPieceTokenizer.FromPretrained(dst.Path);
        Assert.Equal((t.VocabSize, t.ModelMaxLength, t.DoLowerCase), (back.VocabSize, back.ModelMaxLength, back.DoLowerCase));
        Assert.Equal(t.EncodeToIds("Hello, café!"), back.EncodeToIds("Hello, café!"));
    }

    [Fact]
    public void SavesRealVocabularyInTheSameOrder()
    {
        using var dir = new TempDir();
        Real.SavePretrained(dir.Path);
        var lines = File.ReadAllText(dir.File("vocab.txt")).Split('\n');
        Assert.Equal(Real.VocabSize + 1, lines.Length);
        Assert.Equal("", lines[^1]);
        Assert.Equal(Enumerable.Range(0, Real.VocabSize).Select(Real.IdToToken), lines[..^1]);
        var back = WordPieceTokenizer.FromPretrained(dir.Path);
        Assert.Equal(512, back.ModelMaxLength);
        Assert.Equal(Real.EncodeToIds("Jim Henson was a puppeteer"), back.EncodeToIds("Jim Henson was a puppeteer"));
    }
}

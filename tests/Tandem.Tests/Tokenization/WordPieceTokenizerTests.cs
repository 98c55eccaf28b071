using Tandem.Tokenization;
using Xunit;
using static Tandem.Tests.Tokenization.TokenizerFixtures;

namespace Tandem.Tests.Tokenization;

public sealed class WordPieceTokenizerTests
{
    private static int[] Ids(params string[] tokens) => tokens.Select(Id).ToArray();

    [Fact]
    public void SpecialTokenIdsAndLookups()
    {
        var t = Small();
        Assert.Equal(SmallVocab.Length, t.VocabSize);
        Assert.Equal((0, 1, 2, 3, 4), (t.PadTokenId, t.UnkTokenId, t.ClsTokenId, t.SepTokenId, t.MaskTokenId));
        Assert.Equal("[CLS]", t.ClsToken);
        Assert.Equal(6, t.TokenToId("hello"));
        Assert.Null(t.TokenToId("nope"));
        Assert.Equal("##aff", t.IdToToken(17));
        Assert.Equal("[UNK]", t.IdToToken(9999));
        Assert.True(t.DoLowerCase);
        Assert.Null(t.ModelMaxLength);
    }

    [Fact]
    public void SplitsPunctuationAndAddsSpecials() =>
        Assert.Equal(Ids("[CLS]", "hello", ",", "world", "!", "[SEP]"), Small().EncodeToIds("Hello, world!"));

    [Fact]
    public void WordPiecesAndUnknownWords()
    {
        var t = Small();
        Assert.Equal(Ids("un", "##aff", "##able"), t.EncodeToIds("unaffable", addSpecialTokens: false));
        Assert.Equal(Ids("good", "##s"), t.EncodeToIds("GOODS", addSpecialTokens: false));
        Assert.Equal(Ids("the", "[UNK]", "world"), t.EncodeToIds("the xyz world", addSpecialTokens: false));
    }

    [Fact]
    public void AccentsFollowLowerCasingUnlessSet()
    {
        Assert.Equal(Ids("cafe"), Small().EncodeToIds("Café", false));
        Assert.Equal(Ids("café"), Small(new() { StripAccents = false }).EncodeToIds("Café", false));
        Assert.Equal(Ids("café"), Small(new() { DoLowerCase = false }).EncodeToIds("café", false));
        Assert.Equal(Ids("cafe"), Small(new() { DoLowerCase = false, StripAccents = true }).EncodeToIds("café", false));
    }

    [Fact]
    public void CasedVocabularyKeepsCase() =>
        Assert.Equal(Ids("Hello", ",", "[UNK]"), Small(new() { DoLowerCase = false }).EncodeToIds("Hello, World", false));

    [Fact]
    public void ChineseCharactersAreSplit()
    {
        Assert.Equal(Ids("a", "中", "国", "b"), Small().EncodeToIds("a中国b", false));
        Assert.Equal(Ids("[UNK]"), Small(new() { TokenizeChineseChars = false }).EncodeToIds("中国", false));
    }

    [Fact]
    public void MissingVocabularyNamesTheFile()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<TandemException>(() => WordPieceTokenizer.FromPretrained(dir.Path));
        Assert.Contains("vocab.txt", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void MissingSpecialTokenIsAnError()
    {
        var e = Assert.Throws<TandemException>(() => Small(new() { MaskToken = "<mask>" }));
        Assert.Contains("<mask>", e.Message);
    }

    [Fact]
    public void ReadsCrLfVocabulary()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(string.Join("\r\n", SmallVocab) + "\r\n");
        var t = WordPieceTokenizer.Create(new MemoryStream(bytes));
        Assert.Equal(SmallVocab.Length, t.VocabSize);
        Assert.Equal(Ids("[CLS]", "hello", "[SEP]"), t.EncodeToIds("hello"));
    }
}

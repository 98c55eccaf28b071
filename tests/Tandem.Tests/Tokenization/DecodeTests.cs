using Xunit;
using static Tandem.Tests.Tokenization.TokenizerFixtures;

namespace Tandem.Tests.Tokenization;

public sealed class DecodeTests
{
    private static long[] Ids(params string[] tokens) => tokens.Select(t => (long)Id(t)).ToArray();

    [Fact]
    public void JoinsPiecesAndCleansPunctuation()
    {
        var t = Small();
        Assert.Equal("hello, world!", t.Decode(Ids("[CLS]", "hello", ",", "world", "!", "[SEP]", "[PAD]")));
        Assert.Equal("unaffable goods.", t.Decode(Ids("un", "##aff", "##able", "good", "##s", ".")));
        Assert.Equal("don't it's the?", t.Decode(Ids("don", "'", "t", "it", "'", "s", "the", "?")));
    }

    [Fact]
    public void KeepsSpecialTokensWhenAsked()
    {
        var t = Small();
        Assert.Equal("[CLS] hello [UNK] [SEP]", t.Decode(Ids("[CLS]", "hello", "[UNK]", "[SEP]"), skipSpecialTokens: false));
        Assert.Equal("hello", t.Decode(Ids("[CLS]", "hello", "[UNK]", "[SEP]")));
    }

    [Fact]
    public void ConvertsIdsToTokens()
    {
        var t = Small();
        Assert.Equal(["[CLS]", "un", "##aff", "[UNK]"], t.ConvertIdsToTokens([2, 16, 17, 12345]));
        Assert.Equal(["un"], t.ConvertIdsToTokens([2, 16, 3], skipSpecialTokens: true));
    }

    [Fact]
    public void RoundTripsEncodedText()
    {
        var t = Small();
        var b = t.Encode(["Hello, world!", "the café, it's good."]);
        Assert.Equal("hello, world!", t.Decode(b.InputIds[0]));
        Assert.Equal("the cafe, it's good.", t.Decode(b.InputIds[1]));
    }
}

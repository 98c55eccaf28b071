using System.Text;
using Xunit;
using static Tandem.Tests.Tokenization.TokenizerFixtures;

namespace Tandem.Tests.Tokenization;

/// <summary>Checks against facts of Hugging Face's bert-base-uncased tokenizer, on its real vocabulary.</summary>
public sealed class RealVocabTests
{
    [Fact]
    public void VocabularyResourceHasTheKnownIds()
    {
        var lines = Encoding.UTF8.GetString(RealVocab).Replace("\r\n", "\n").TrimEnd('\n').Split('\n');
        Assert.Equal(30522, lines.Length);
        Assert.Equal(30522, Real.VocabSize);
        var expected = new Dictionary<string, int>
        {
            ["[PAD]"] = 0, ["[UNK]"] = 100, ["[CLS]"] = 101, ["[SEP]"] = 102, ["[MASK]"] = 103,
            ["the"] = 1996, ["hello"] = 7592, ["world"] = 2088, [","] = 1010, ["!"] = 999,
        };
        foreach (var (token, id) in expected)
        {
            Assert.Equal(token, lines[id]);
            Assert.Equal(id, Real.TokenToId(token));
        }
        Assert.Equal((0, 100, 101, 102, 103), (Real.PadTokenId, Real.UnkTokenId, Real.ClsTokenId, Real.SepTokenId, Real.MaskTokenId));
    }

    [Theory]
    [InlineData("Hello, world!", new[] { 101, 7592, 1010, 2088, 999, 102 })]
    [InlineData("unaffable", new[] { 101, 14477, 20961, 3468, 102 })] // una ##ffa ##ble
    [InlineData("Jim Henson was a puppeteer", new[] { 101, 3958, 27227, 2001, 1037, 13997, 11510, 102 })]
    [InlineData("Café", new[] { 101, 7668, 102 })]
    [InlineData("中国", new[] { 101, 1746, 1799, 102 })]
    [InlineData("I don't know.", new[] { 101, 1045, 2123, 1005, 1056, 2113, 1012, 102 })]
    [InlineData("hello\nworld\tthe", new[] { 101, 7592, 2088, 1996, 102 })] // tabs and newlines separate words
    [InlineData("€5 a\u00ADb", new[] { 101, 1574, 2629, 11113, 102 })] // symbols stay in words; soft hyphen dropped
    [InlineData("Paris is the [MASK] of France.", new[] { 101, 3000, 2003, 1996, 103, 1997, 2605, 1012, 102 })]
    [InlineData("한국", new[] { 101, 1469, 30006, 30021, 29991, 30014, 30020, 102 })] // NFD splits Hangul into jamo
    [InlineData("ΟΔΟΣ", new[] { 101, 1169, 29722, 15297, 102 })] // ο ##δ ##ος: final sigma, as Python's lower()
    public void EncodesAsBertBaseUncased(string text, int[] expected) =>
        Assert.Equal(expected, Real.EncodeToIds(text));

    [Fact]
    public void UnknownCharactersBecomeUnk() =>
        Assert.Equal([101, 100, 102], Real.EncodeToIds("\u2603\u2603"));

    [Theory]
    [InlineData("Hello, world! I don't think it's here.", "hello, world! i don't think it's here.")]
    [InlineData("The puppeteer's café is OPEN?", "the puppeteer's cafe is open?")]
    public void DecodeRoundTrips(string text, string expected)
    {
        var b = Real.Encode([text]);
        Assert.Equal(expected, Real.Decode(b.InputIds[0]));
    }

    [Fact]
    public void TruncatesToModelMaxLength()
    {
        var b = Real.Encode([string.Join(' ', Enumerable.Repeat("hello", 600))]);
        Assert.Equal(512, b.InputIds[0].Length);
        Assert.Equal(102, b.InputIds[0][^1]);
        Assert.True(b.Truncated[0]);
    }
}

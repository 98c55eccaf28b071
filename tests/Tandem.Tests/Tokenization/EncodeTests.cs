using Tandem.Tokenization;
using TorchSharp;
using Xunit;
using static Tandem.Tests.Tokenization.TokenizerFixtures;

namespace Tandem.Tests.Tokenization;

public sealed class EncodeTests
{
    private static long[] Ids(params string[] tokens) => tokens.Select(t => (long)Id(t)).ToArray();

    [Fact]
    public void PadsToLongestOnTheRight()
    {
        var b = Small().Encode(["hello world", "the"]);
        Assert.Equal(Ids("[CLS]", "hello", "world", "[SEP]"), b.InputIds[0]);
        Assert.Equal(Ids("[CLS]", "the", "[SEP]", "[PAD]"), b.InputIds[1]);
        Assert.Equal([1L, 1, 1, 0], b.AttentionMask[1]);
        Assert.Equal([0L, 0, 0, 0], b.TokenTypeIds[1]);
        Assert.Equal([false, false], b.Truncated);
    }

    [Fact]
    public void NoPaddingAndMaxLengthPadding()
    {
        var none = Small().Encode(["hello world", "the"], new() { Padding = PaddingStrategy.None });
        Assert.Equal([4, 3], none.InputIds.Select(r => r.Length));
        var max = Small().Encode(["the"], new() { Padding = PaddingStrategy.MaxLength, MaxLength = 6 });
        Assert.Equal(Ids("[CLS]", "the", "[SEP]", "[PAD]", "[PAD]", "[PAD]"), max.InputIds[0]);
        Assert.Throws<TandemException>(() => Small().Encode(["the"], new() { Padding = PaddingStrategy.MaxLength }));
    }

    [Fact]
    public void PairsGetTwoSeparatorsAndTokenTypes()
    {
        var b = Small().Encode(["hello"], ["the world"]);
        Assert.Equal(Ids("[CLS]", "hello", "[SEP]", "the", "world", "[SEP]"), b.InputIds[0]);
        Assert.Equal([0L, 0, 0, 1, 1, 1], b.TokenTypeIds[0]);
        Assert.Throws<TandemException>(() => Small().Encode(["a", "b"], ["c"]));
    }

    [Fact]
    public void TruncatesSingleTextsAndFlagsThem()
    {
        var b = Small().Encode(["a b c a b c", "a"], new() { MaxLength = 5 });
        Assert.Equal(Ids("[CLS]", "a", "b", "c", "[SEP]"), b.InputIds[0]);
        Assert.Equal([true, false], b.Truncated);
        var model = Small(new() { ModelMaxLength = 4 }).Encode(["a b c"]);
        Assert.Equal(Ids("[CLS]", "a", "b", "[SEP]"), model.InputIds[0]);
        var off = Small(new() { ModelMaxLength = 4 }).Encode(["a b c"], new() { Truncation = false });
        Assert.Equal(5, off.InputIds[0].Length);
        Assert.False(off.Truncated[0]);
    }

    [Fact]
    public void TruncatesPairsLongestFirst()
    {
        // 5 + 2 tokens, 8 - 3 specials = 5 room: the longer first loses 2.
        var b = Small().Encode(["a b c a b"], ["the world"], new() { MaxLength = 8 });
        Assert.Equal(Ids("[CLS]", "a", "b", "c", "[SEP]", "the", "world", "[SEP]"), b.InputIds[0]);
        // 4 + 4 tokens, 5 room: cut alternately, the second first on ties -> 3 + 2.
        var tie = Small().Encode(["a b c a"], ["c b a c"], new() { MaxLength = 8 });
        Assert.Equal(Ids("[CLS]", "a", "b", "c", "[SEP]", "c", "b", "[SEP]"), tie.InputIds[0]);
        Assert.True(tie.Truncated[0]);
    }

    [Fact]
    public void EmptyInputIsAnErrorUnlessAllowed()
    {
        var e = Assert.Throws<TandemException>(() => Small().Encode(["hello", "  "]));
        Assert.Equal("input 1 is empty", e.Message);
        Assert.Throws<TandemException>(() => Small().Encode(["hello"], [""]));
        var b = Small().Encode([""], new() { AllowEmpty = true });
        Assert.Equal(Ids("[CLS]", "[SEP]"), b.InputIds[0]);
    }

    [Fact]
    public void WithoutSpecialTokens()
    {
        var b = Small().Encode(["hello world"], new() { AddSpecialTokens = false, MaxLength = 1 });
        Assert.Equal(Ids("hello"), b.InputIds[0]);
    }

    [Fact]
    public void ToTensorsGivesInt64Batches()
    {
        using var scope = torch.NewDisposeScope();
        var (ids, mask, types) = Small().Encode(["hello world", "the"]).ToTensors();
        Assert.Equal([2L, 4], ids.shape);
        Assert.Equal(torch.ScalarType.Int64, ids.dtype);
        Assert.Equal(Ids("[CLS]", "the", "[SEP]", "[PAD]"), ids[1].data<long>().ToArray());
        Assert.Equal([1L, 1, 1, 0], mask[1].data<long>().ToArray());
        Assert.Equal([2L, 4], types.shape);
        var ragged = Small().Encode(["hello world", "the"], new() { Padding = PaddingStrategy.None });
        Assert.Throws<TandemException>(() => ragged.ToTensors());
    }
}

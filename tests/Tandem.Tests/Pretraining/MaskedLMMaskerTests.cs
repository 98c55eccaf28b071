using Tandem.Models;
using Tandem.Pretraining;
using Tandem.Tests.TestSupport;
using Tandem.Tokenization;

namespace Tandem.Tests.Pretraining;

public class MaskedLMMaskerTests
{
    const int Vocab = 1000, MaskId = 4;
    static bool Special(long id) => id < 5;                         // [PAD] [UNK] [CLS] [SEP] [MASK]

    static long[] Block(Random rng, int n) =>
        [.. Enumerable.Range(0, n).Select(i => i % 64 == 0 ? 2L : i % 64 == 63 ? 3L : rng.Next(5, Vocab))];

    [Fact]
    public void FifteenPercentAreChosenAndSplit80_10_10AndSpecialsNeverMasked()
    {
        var masker = new MaskedLMMasker(new MaskingOptions(), MaskId, Vocab, Special);
        var data = new Random(1);
        AssertRecipe(masker, Enumerable.Range(0, 400).Select(_ => Block(data, 512)), MaskId, Special);
    }

    /// <summary>Masks <paramref name="blocks"/> (a fresh generator each) and checks BERT's recipe on them: about
    /// 200,000 tokens (190,000 at least) give 15 % chosen within 0.5 points (3 sigma is about 0.24), 80/10/10 within 1 and 0.7;
    /// specials are never chosen nor changed, and a random replacement is never a special token.</summary>
    internal static void AssertRecipe(MaskedLMMasker masker, IEnumerable<long[]> blocks, long maskId, Func<long, bool> special)
    {
        long tokens = 0, specials = 0, chosen = 0, masked = 0, replaced = 0, kept = 0;
        int draws = 0;
        foreach (var ids in blocks)
        {
            var m = masker.Mask(ids, new Random(draws++));
            for (int i = 0; i < ids.Length; i++)
            {
                if (special(ids[i]))
                {
                    specials++;
                    Assert.Equal(MaskedLMMasker.Ignore, m.Labels[i]);
                    Assert.Equal(ids[i], m.InputIds[i]);
                    continue;
                }
                tokens++;
                if (m.Labels[i] == MaskedLMMasker.Ignore) { Assert.Equal(ids[i], m.InputIds[i]); continue; }
                chosen++;
                Assert.Equal(ids[i], m.Labels[i]);
                if (m.InputIds[i] == maskId) masked++;
                else if (m.InputIds[i] == ids[i]) kept++;
                else
                {
                    replaced++;
                    Assert.False(special(m.InputIds[i]), $"random replacement {m.InputIds[i]} is a special token");
                }
            }
        }
        Assert.True(specials > 0);
        Assert.True(tokens >= 190_000, $"{tokens} tokens");
        Assert.InRange((double)chosen / tokens, 0.145, 0.155);
        Assert.InRange((double)masked / chosen, 0.79, 0.81);
        Assert.InRange((double)replaced / chosen, 0.093, 0.107);
        Assert.InRange((double)kept / chosen, 0.093, 0.107);
    }

    [Fact]
    public void WholeWordsAreChosenWhole()
    {
        // ids >= 500 continue the word before them (the ## pieces)
        var masker = new MaskedLMMasker(new MaskingOptions { WholeWordMask = true }, MaskId, Vocab, Special, id => id >= 500);
        var data = new Random(2);
        long tokens = 0, chosen = 0;
        for (int b = 0; b < 200; b++)
        {
            var ids = Block(data, 256);
            var m = masker.Mask(ids, new Random(b));
            for (int i = 1; i < ids.Length; i++)
                if (!Special(ids[i]) && ids[i] >= 500 && !Special(ids[i - 1]))
                    Assert.Equal(m.Labels[i - 1] == MaskedLMMasker.Ignore, m.Labels[i] == MaskedLMMasker.Ignore);   // a piece goes with its word
            tokens += ids.Count(id => !Special(id));
            chosen += m.Labels.Count(l => l != MaskedLMMasker.Ignore);
            Assert.All(ids.Select((id, i) => (id, i)).Where(x => Special(x.id)), x => Assert.Equal(MaskedLMMasker.Ignore, m.Labels[x.i]));
        }
        Assert.InRange((double)chosen / tokens, 0.13, 0.155);
    }

    [Fact]
    public void TheSameSeedMasksTheSameAndAnotherSeedDifferently()
    {
        var masker = new MaskedLMMasker(new MaskingOptions(), MaskId, Vocab, Special);
        var ids = Block(new Random(3), 512);
        Assert.Equal(masker.Mask(ids, new Random(7)).InputIds, masker.Mask(ids, new Random(7)).InputIds);
        Assert.NotEqual(masker.Mask(ids, new Random(7)).Labels, masker.Mask(ids, new Random(8)).Labels);
    }

    [Fact]
    public void LinesArePackedIntoFullBlocks()
    {
        int[][] lines = [[2, 10, 11, 3], [2, 12, 3], [2, 13, 14, 15, 16, 3], [2, 17, 3]];
        var blocks = TextBlocks.Pack(lines, 5).ToList();
        Assert.Equal([[2, 10, 11, 3, 2], [12, 3, 2, 13, 14], [15, 16, 3, 2, 17]], blocks);   // the remainder [3] is dropped
        Assert.Throws<TandemException>(() => TextBlocks.Pack(lines, 1).ToList());
    }

    [Fact]
    public void BadRecipesAreRefused()
    {
        Assert.Throws<TandemException>(() => new MaskingOptions { MlmProbability = 0 }.Validate());
        Assert.Throws<TandemException>(() => new MaskingOptions { MaskReplace = 0.95, RandomReplace = 0.1 }.Validate());
    }
}

/// <summary>The masker on a byte-level BPE as RoBERTa's (the reference roberta-small tokenizer transformers wrote:
/// &lt;s&gt; &lt;pad&gt; &lt;/s&gt; &lt;unk&gt; and &lt;mask&gt; last), built as pre-training builds it.</summary>
public class ByteLevelBpeMaskingTests
{
    static readonly string TokenizerDir = Paths.Reference("tokenizers", "roberta-small");

    static (ITokenizer Tokenizer, List<long[]> Blocks) Corpus()
    {
        var tokenizer = AutoTokenizer.FromPretrained(TokenizerDir);
        var lines = File.ReadLines(Path.Combine(TokenizerDir, "train_text.txt")).Where(l => l.Length > 0).Select(l => tokenizer.EncodeToIds(l));
        return (tokenizer, TextBlocks.Pack(lines, 64).ToList());
    }

    static MaskedLMMasker Masker(ITokenizer tokenizer, bool wholeWords = false) =>
        MaskedLMMasker.For(tokenizer, new MaskingOptions { WholeWordMask = wholeWords }, ModelFamilies.Find("roberta")!.MaskedLM!.StartsWord, "test");

    [Fact]
    public void FifteenPercentAreChosenAndSplit80_10_10AndSpecialsAreNeverChosenNorDrawn()
    {
        var (tokenizer, blocks) = Corpus();
        int mask = tokenizer.MaskTokenId!.Value;
        Assert.Equal("<mask>", tokenizer.ConvertIdsToTokens([mask])[0]);
        long perRound = blocks.Sum(b => b.Count(id => !tokenizer.IsSpecial(id)));
        int rounds = (int)(200_000 / perRound) + 1;                                               // the corpus masked afresh each round
        MaskedLMMaskerTests.AssertRecipe(Masker(tokenizer), Enumerable.Repeat(blocks, rounds).SelectMany(b => b), mask, tokenizer.IsSpecial);
    }

    [Fact]
    public void WholeWordsStartAtAGTokenAndAreChosenWhole()
    {
        var (tokenizer, blocks) = Corpus();
        var masker = Masker(tokenizer, wholeWords: true);
        var tokens = tokenizer.ConvertIdsToTokens(Enumerable.Range(0, tokenizer.VocabSize).Select(i => (long)i));
        long words = 0, split = 0, chosen = 0, total = 0;
        for (int seed = 0; seed < 20; seed++)
            foreach (var ids in blocks)
            {
                var m = masker.Mask(ids, new Random(seed));
                for (int i = 1; i < ids.Length; i++)
                {
                    bool special = tokenizer.IsSpecial(ids[i]), previousSpecial = tokenizer.IsSpecial(ids[i - 1]);
                    if (special) { Assert.Equal(MaskedLMMasker.Ignore, m.Labels[i]); continue; }
                    total++;
                    if (m.Labels[i] != MaskedLMMasker.Ignore) chosen++;
                    if (previousSpecial || tokens[(int)ids[i]].StartsWith('\u0120')) { words++; continue; }
                    split++;                                                                       // a piece without Ġ goes with the token before it
                    Assert.Equal(m.Labels[i - 1] == MaskedLMMasker.Ignore, m.Labels[i] == MaskedLMMasker.Ignore);
                }
            }
        Assert.True(split > 1000 && words > 1000, $"{words} word starts, {split} pieces after them");
        Assert.InRange((double)chosen / total, 0.13, 0.155);
    }
}

using Tandem.Evaluation;

namespace Tandem.Tests.Evaluation;

public class BleuTests
{
    [Fact]
    public void MatchesSacreBleuReadmeExampleWithTwoReferences()
    {
        // sacreBLEU's README example: BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)
        string[] sys = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."];
        string[] r1 = ["The dog bit the man.", "It was not unexpected.", "The man bit him first."];
        string[] r2 = ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."];
        var bleu = CorpusBleu.Compute(sys, [r1, r2]);
        Assert.Equal(48.53, Math.Round(bleu.Score, 2));
        Assert.Equal(17, bleu.SystemLength);
        Assert.Equal(18, bleu.ReferenceLength);
        Assert.Equal("BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)", bleu.ToString());
        Assert.Equal("nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:2.x", bleu.Signature);
    }

    [Fact]
    public void HandComputedSingleReference()
    {
        // hyp: "the cat sat on the mat" (6), ref: "the cat sat on a mat" (6)
        // 1-grams 5/6, 2-grams 3/5, 3-grams 2/4, 4-grams 1/3, BP 1 → exp(mean log) = (5/6·3/5·2/4·1/3)^(1/4)
        var bleu = CorpusBleu.Compute(["the cat sat on the mat"], [["the cat sat on a mat"]]);
        double expected = 100 * Math.Pow(5.0 / 6 * 3.0 / 5 * 2.0 / 4 * 1.0 / 3, 0.25);
        Assert.Equal(expected, bleu.Score, 9);
        Assert.Equal(1.0, bleu.BrevityPenalty);
    }

    [Fact]
    public void ExpSmoothingAndBrevityPenalty()
    {
        // hyp "a b c" vs ref "a b d e": 1-grams 2/3, 2-grams 1/2, 3-grams 0/1 → exp smoothing 100/(2·1), 4-grams total 0 → 0
        var exp = CorpusBleu.Compute(["a b c"], [["a b d e"]]);
        Assert.Equal(50.0, exp.Precisions[2], 9);
        Assert.Equal(0.0, exp.Score);           // no 4-grams at all: log(0) as sacreBLEU
        Assert.Equal(Math.Exp(1 - 4.0 / 3), exp.BrevityPenalty, 12);
        var none = CorpusBleu.Compute(["a b c d"], [["a b c e"]], BleuSmoothing.None);
        Assert.Equal(0.0, none.Score);
        var smoothed = CorpusBleu.Compute(["a b c d"], [["a b c e"]]);
        Assert.Equal(100 * Math.Pow(3.0 / 4 * 2.0 / 3 * 1.0 / 2 * (1.0 / 2), 0.25), smoothed.Score, 9);
    }

    [Theory]
    [InlineData("Hello, world!", "Hello , world !")]
    [InlineData("It costs $3.50, ok.", "It costs $ 3.50 , ok .")]
    [InlineData("1,000 people in 2019-2020", "1,000 people in 2019 - 2020")]
    [InlineData("a &amp; b &lt;c&gt;", "a & b < c >")]
    [InlineData("don't \"quote\"", "don't \" quote \"")]
    public void Tokenizer13aSplitsLikeSacreBleu(string input, string expected) =>
        Assert.Equal(expected, Tokenizer13a.Tokenize(input));

    [Fact]
    public void LowercaseChangesSignature()
    {
        var b = CorpusBleu.Compute(["The Cat"], [["the cat"]], lowercase: true);
        Assert.Contains("case:lc", b.Signature);
        Assert.Equal(1.0, b.Precisions[0] / 100, 9);
    }

    [Fact]
    public void SequenceMetricsCountExactAndTokens()
    {
        var m = new SequenceMetrics();
        m.Add([1, 2, 3], [1, 2, 3]);
        m.Add([1, 5], [1, 2, 3]);
        Assert.Equal(0.5, m.ExactMatch);
        Assert.Equal(4.0 / 6, m.TokenAccuracy, 12);
    }
}

using Tandem.Generation.LogitsProcessors;
using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Tests.Generation;

public sealed class LogitsProcessorTests
{
    private const float NegInf = float.NegativeInfinity;

    private static Tensor Seq(params long[][] rows) =>
        tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length]);

    private static Tensor Scores(params float[][] rows) =>
        tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length]);

    private static void Expect(Tensor actual, params float[][] expected)
    {
        var flat = actual.contiguous().data<float>().ToArray();
        var want = expected.SelectMany(r => r).ToArray();
        Assert.Equal(want.Length, flat.Length);
        for (int i = 0; i < want.Length; i++) Assert.Equal(want[i], flat[i], 5);
    }

    [Fact]
    public void MinLength_BansEosOnlyBelowMinLength()
    {
        using var scope = NewDisposeScope();
        var p = new MinLengthLogitsProcessor(3, [3]);
        var s = Scores([1, 2, 3, 4]);
        Expect(p.Process(Seq([2, 5]), s), [1, 2, 3, NegInf]);
        Expect(p.Process(Seq([2, 5, 6]), s), [1, 2, 3, 4]);
        Expect(s, [1, 2, 3, 4]); // input untouched
        Assert.Throws<TandemException>(() => new MinLengthLogitsProcessor(-1, [3]));
    }

    [Fact]
    public void RepetitionPenalty_MultipliesNegativeDividesPositive()
    {
        using var scope = NewDisposeScope();
        var p = new RepetitionPenaltyLogitsProcessor(2.0);
        Expect(p.Process(Seq([0, 1, 0]), Scores([-2, 4, 1, 3])), [-4, 2, 1, 3]);
        Assert.Throws<TandemException>(() => new RepetitionPenaltyLogitsProcessor(0));
    }

    [Fact]
    public void NoRepeatNGram_BansCompletionsOfSeenNGrams()
    {
        using var scope = NewDisposeScope();
        var p = new NoRepeatNGramLogitsProcessor(2);
        Expect(p.Process(Seq([1, 2, 1], [3, 3, 3]), Scores([1, 1, 1, 1], [2, 2, 2, 2])),
            [1, 1, NegInf, 1], [2, 2, 2, NegInf]);
        var p3 = new NoRepeatNGramLogitsProcessor(3);
        Expect(p3.Process(Seq([1]), Scores([1, 1, 1, 1])), [1, 1, 1, 1]);
        Expect(p3.Process(Seq([1, 2, 1, 2]), Scores([1, 1, 1, 1])), [1, NegInf, 1, 1]);
        Assert.Throws<TandemException>(() => new NoRepeatNGramLogitsProcessor(0));
    }

    [Fact]
    public void NoBadWords_SingleAndMultiToken_IgnoresEosOnlyWord()
    {
        using var scope = NewDisposeScope();
        var p = new NoBadWordsLogitsProcessor([[1], [2, 3], [3]], [3]);
        Expect(p.Process(Seq([0, 2], [2, 0]), Scores([1, 1, 1, 1], [1, 1, 1, 1])),
            [1, NegInf, 1, NegInf], [1, NegInf, 1, 1]);
        // as transformers: a 2-token bad word is checked only once the row holds at least 2 tokens
        Expect(p.Process(Seq([2]), Scores([1, 1, 1, 1])), [1, NegInf, 1, 1]);
        var outOfVocab = new NoBadWordsLogitsProcessor([[9]], null);
        Assert.Throws<TandemException>(() => outOfVocab.Process(Seq([0]), Scores([1, 1])));
        Assert.Throws<TandemException>(() => new NoBadWordsLogitsProcessor([[]], null));
    }

    [Fact]
    public void ForcedBos_AndForcedEos_ForceAtTheirPositions()
    {
        using var scope = NewDisposeScope();
        var bos = new ForcedBosTokenLogitsProcessor(1);
        Expect(bos.Process(Seq([2]), Scores([5, 6, 7, 8])), [NegInf, 0, NegInf, NegInf]);
        Expect(bos.Process(Seq([2, 1]), Scores([5, 6, 7, 8])), [5, 6, 7, 8]);
        var eos = new ForcedEosTokenLogitsProcessor(4, [3, 0]);
        Expect(eos.Process(Seq([2, 1, 1]), Scores([5, 6, 7, 8])), [0, NegInf, NegInf, 0]);
        Expect(eos.Process(Seq([2, 1]), Scores([5, 6, 7, 8])), [5, 6, 7, 8]);
    }

    [Fact]
    public void Temperature_Divides()
    {
        using var scope = NewDisposeScope();
        Expect(new TemperatureLogitsWarper(2.0).Process(Seq([0]), Scores([2, -4])), [1, -2]);
        Assert.Throws<TandemException>(() => new TemperatureLogitsWarper(0));
    }

    [Fact]
    public void TopK_KeepsKLargestAndTies()
    {
        using var scope = NewDisposeScope();
        var p = new TopKLogitsWarper(2);
        Expect(p.Process(Seq([0], [0]), Scores([1, 3, 2, 3], [4, 3, 2, 1])),
            [NegInf, 3, NegInf, 3], [4, 3, NegInf, NegInf]);
        Expect(new TopKLogitsWarper(10).Process(Seq([0]), Scores([1, 2])), [1, 2]);
        Assert.Throws<TandemException>(() => new TopKLogitsWarper(0));
    }

    [Fact]
    public void TopP_RemovesLowCumulativeMass()
    {
        using var scope = NewDisposeScope();
        float[] logp = [MathF.Log(.1f), MathF.Log(.2f), MathF.Log(.3f), MathF.Log(.4f)];
        Expect(new TopPLogitsWarper(0.75).Process(Seq([0]), Scores(logp)), [NegInf, logp[1], logp[2], logp[3]]);
        Expect(new TopPLogitsWarper(0.5).Process(Seq([0]), Scores(logp)), [NegInf, NegInf, logp[2], logp[3]]);
        Expect(new TopPLogitsWarper(0.01).Process(Seq([0]), Scores(logp)), [NegInf, NegInf, NegInf, logp[3]]);
        Expect(new TopPLogitsWarper(0.01, 2).Process(Seq([0]), Scores(logp)), [NegInf, NegInf, logp[2], logp[3]]);
        Assert.Throws<TandemException>(() => new TopPLogitsWarper(1.5));
    }
}

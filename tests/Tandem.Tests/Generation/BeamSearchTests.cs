using Tandem.Generation;

namespace Tandem.Tests.Generation;

/// <summary>Beam search on a hand-traced script (num_beams 2, vocab: 0 pad, 1, 2 start, 3 eos, 4, 5).
/// Input 0: step 1 keeps [2 4] (.6) and [2 5] (.05); EOS (.3, rank 1) makes hypothesis [2] (sum ln .3, length 1).
/// Step 2: EOS after [2 4] (sum ln .3, length 2) ranks first; beams [2 4 4] (ln .27), [2 5 4] (ln .035).
/// Step 3: EOS after [2 4 4] (sum ln .135, length 3) ranks first; beams [2 4 4 4] (ln .081), [2 4 4 5] (ln .027).
/// Step 4 (fallback table): EOS after [2 4 4 4] (sum ln .0324, length 4).</summary>
public sealed class BeamSearchTests
{
    private static readonly float[] Fallback = [.03f, .05f, .02f, .4f, .3f, .2f];

    private static readonly Dictionary<string, float[]> Table = new()
    {
        ["0:2"] = [.01f, .03f, .01f, .3f, .6f, .05f],
        ["0:2 4"] = [.01f, .01f, .01f, .5f, .45f, .02f],
        ["0:2 5"] = [.01f, .03f, .01f, .2f, .7f, .05f],
        ["0:2 4 4"] = [.02f, .07f, .01f, .5f, .3f, .1f],
        ["0:2 5 4"] = [.02f, .07f, .01f, .5f, .3f, .1f],
        // input 1: EOS first at once (rank 0), then EOS after [2 4] (.2 x .4) at step 2
        ["1:2"] = [.02f, .02f, .01f, .7f, .2f, .05f],
    };

    private static double Score(double product, int length, double lengthPenalty) =>
        Math.Log(product) / Math.Pow(length, lengthPenalty);

    private static GenerationOutput Run(double lengthPenalty, EarlyStopping stopping, int returnSequences = 1,
        int batch = 1)
    {
        var model = ScriptedModel.FromTable(Table, Fallback);
        var (ids, mask) = ScriptedModel.Inputs(batch);
        var config = new GenerationConfig
        {
            DecoderStartTokenId = 2, EosTokenId = [3], PadTokenId = 0, MaxLength = 5, NumBeams = 2,
            LengthPenalty = lengthPenalty, EarlyStopping = stopping, NumReturnSequences = returnSequences,
        };
        var output = Generator.Generate(model, ids, mask, config);
        Assert.True(model.LastSession!.Disposed);
        return output;
    }

    private static void AssertScores(double[] expected, float[]? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 4);
    }

    [Fact]
    public void EarlyStoppingTrue_StopsWithNumBeamsHypotheses()
    {
        var output = Run(1.0, EarlyStopping.True, returnSequences: 2);
        Assert.Equal([[2L, 4, 3], [2L, 3, 0]], output.Sequences);
        AssertScores([Score(.3, 2, 1), Score(.3, 1, 1)], output.SequencesScores);
        Assert.Equal([[0L, 0, -1], [0L, -1, -1]], output.BeamIndices);
    }

    [Fact]
    public void EarlyStoppingFalse_LengthPenalty1_HeuristicStopsAtStep3()
    {
        var output = Run(1.0, EarlyStopping.False, returnSequences: 2);
        Assert.Equal([[2L, 4, 3, 0], [2L, 4, 4, 3]], output.Sequences);
        AssertScores([Score(.3, 2, 1), Score(.135, 3, 1)], output.SequencesScores);
    }

    [Fact]
    public void LengthPenaltyHalf_FavoursShort()
    {
        var output = Run(0.5, EarlyStopping.False);
        Assert.Equal([[2L, 4, 3]], output.Sequences);
        AssertScores([Score(.3, 2, 0.5)], output.SequencesScores);
    }

    [Fact]
    public void LengthPenaltyTwo_FavoursLong_RunsToMaxLength()
    {
        var output = Run(2.0, EarlyStopping.False, returnSequences: 2);
        Assert.Equal([[2L, 4, 4, 4, 3], [2L, 4, 4, 3, 0]], output.Sequences);
        AssertScores([Score(.6 * .45 * .3 * .4, 4, 2), Score(.135, 3, 2)], output.SequencesScores);
    }

    [Fact]
    public void EarlyStoppingNever_LengthPenalty1_RunsOnButKeepsTheBest()
    {
        var output = Run(1.0, EarlyStopping.Never, returnSequences: 2);
        Assert.Equal([[2L, 4, 3, 0], [2L, 4, 4, 3]], output.Sequences);
        AssertScores([Score(.3, 2, 1), Score(.135, 3, 1)], output.SequencesScores);
    }

    [Fact]
    public void Batch_InputsFinishIndependently_AndArePadded()
    {
        var output = Run(1.0, EarlyStopping.True, batch: 2);
        Assert.Equal([[2L, 4, 3], [2L, 3, 0]], output.Sequences);
        AssertScores([Score(.3, 2, 1), Score(.7, 1, 1)], output.SequencesScores);
        Assert.Equal([2L, -1, -1], output.BeamIndices![1]);
    }

    [Fact]
    public void HypothesesThatHitMaxLength_AreNormalisedByMaxLengthMinusOne()
    {
        // EOS (.05) never ranks among the top num_beams candidates: running beams are finalised at max_length
        var model = ScriptedModel.FromTable([], [.05f, .05f, .05f, .05f, .5f, .3f]);
        var (ids, mask) = ScriptedModel.Inputs(1);
        var config = new GenerationConfig
        {
            DecoderStartTokenId = 2, EosTokenId = [1], PadTokenId = 0, MaxLength = 4, NumBeams = 2,
        };
        var output = Generator.Generate(model, ids, mask, config);
        Assert.Equal([[2L, 4, 4, 4]], output.Sequences);
        AssertScores([Score(.5 * .5 * .5, 3, 1)], output.SequencesScores);
    }
}

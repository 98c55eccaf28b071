using Tandem.Generation;

namespace Tandem.Tests.Generation;

public sealed class GreedyAndSamplingTests
{
    // vocab: 0 pad, 1, 2 decoder start, 3 eos, 4, 5
    private static readonly float[] Fallback = [.03f, .05f, .02f, .4f, .3f, .2f];

    private static ScriptedModel TwoRowModel() => ScriptedModel.FromTable(new()
    {
        ["0:2"] = [.01f, .03f, .01f, .05f, .6f, .3f],
        ["0:2 4"] = [.01f, .03f, .01f, .05f, .3f, .6f],
        ["0:2 4 5"] = [.01f, .03f, .01f, .65f, .1f, .2f],
        ["1:2"] = [.01f, .03f, .01f, .05f, .3f, .6f],
        ["1:2 5"] = [.01f, .03f, .01f, .65f, .1f, .2f],
    }, Fallback);

    private static GenerationConfig Config() =>
        new() { DecoderStartTokenId = 2, EosTokenId = [3], PadTokenId = 0, MaxLength = 8 };

    [Fact]
    public void Greedy_RowsFinishOnTheirOwn_PaddedAfterEos_StopsWhenAllDone()
    {
        var model = TwoRowModel();
        var (ids, mask) = ScriptedModel.Inputs(2);
        var output = Generator.Generate(model, ids, mask, Config());
        Assert.Equal([2L, 4, 5, 3], output.Sequences[0]);
        Assert.Equal([2L, 5, 3, 0], output.Sequences[1]);
        Assert.Equal(3, model.LastSession!.Calls);
        Assert.True(model.LastSession.Disposed);
        Assert.Null(output.Scores);
        Assert.Null(output.SequencesScores);
    }

    [Fact]
    public void Greedy_StopsAtMaxNewTokens_AndReturnsProcessedScores()
    {
        var model = TwoRowModel();
        var (ids, mask) = ScriptedModel.Inputs(2);
        var config = Config();
        config.MaxNewTokens = 2;
        config.MinLength = 3; // eos banned while decoder length < 3: row 1 cannot end at step 2
        config.OutputScores = true;
        var output = Generator.Generate(model, ids, mask, config);
        Assert.Equal([2L, 4, 5], output.Sequences[0]);
        Assert.Equal([2L, 5, 5], output.Sequences[1]); // eos (.65) banned: then 5 (.2) beats 4 (.1)
        Assert.Equal(2, output.Scores!.Count);
        Assert.Equal(float.NegativeInfinity, output.Scores[1][1][3]);
        Assert.Equal(MathF.Log(.6f), output.Scores[0][0][4], 5);
    }

    [Fact]
    public void Sampling_WithSeed_IsReproducible_AndTopK1EqualsGreedy()
    {
        var (ids, mask) = ScriptedModel.Inputs(2);
        var sample = Config();
        sample.DoSample = true;
        sample.Seed = 1234;
        sample.NumReturnSequences = 3;
        var a = Generator.Generate(TwoRowModel(), ids, mask, sample);
        var b = Generator.Generate(TwoRowModel(), ids, mask, sample);
        Assert.Equal(6, a.Sequences.Length);
        Assert.Equal(a.Sequences, b.Sequences);
        foreach (var row in a.Sequences) Assert.Equal(2L, row[0]);

        sample.TopK = 1;
        sample.NumReturnSequences = 1;
        var greedy = Generator.Generate(TwoRowModel(), ids, mask, Config());
        var topK1 = Generator.Generate(TwoRowModel(), ids, mask, sample);
        Assert.Equal(greedy.Sequences, topK1.Sequences);
    }

    [Fact]
    public void Sampling_FollowsTheDistribution()
    {
        // row 0's first token is 4 with p=.6 and 5 with p=.3: the empirical frequencies must match
        var (ids, mask) = ScriptedModel.Inputs(1);
        var config = Config();
        config.DoSample = true;
        config.TopK = 0;
        config.Seed = 7;
        config.NumReturnSequences = 400;
        config.MaxNewTokens = 1;
        var output = Generator.Generate(TwoRowModel(), ids, mask, config);
        double fours = output.Sequences.Count(s => s[1] == 4) / 400.0;
        Assert.InRange(fours, 0.52, 0.68);
    }

    [Fact]
    public void MissingDecoderStart_IsAClearError()
    {
        var (ids, mask) = ScriptedModel.Inputs(1);
        var config = new GenerationConfig { EosTokenId = [3] };
        var e = Assert.Throws<TandemException>(() => Generator.Generate(TwoRowModel(), ids, mask, config));
        Assert.Contains("decoder_start_token_id", e.Message);
        config.BosTokenId = 2; // transformers falls back to bos_token_id
        Assert.Equal(2L, Generator.Generate(TwoRowModel(), ids, mask, config).Sequences[0][0]);
    }

    [Fact]
    public void MaxLengthNotAbovePrompt_IsAnErrorAtGenerateTime()
    {
        var (ids, mask) = ScriptedModel.Inputs(1);
        var config = Config();
        config.MaxLength = 1;
        config.Validate();
        var e = Assert.Throws<TandemException>(() => Generator.Generate(TwoRowModel(), ids, mask, config));
        Assert.Contains("max_length", e.Message);
    }

    [Fact]
    public void PadDefaultsToFirstEos()
    {
        var (ids, mask) = ScriptedModel.Inputs(2);
        var config = Config();
        config.PadTokenId = null;
        var output = Generator.Generate(TwoRowModel(), ids, mask, config);
        Assert.Equal([2L, 5, 3, 3], output.Sequences[1]);
    }
}

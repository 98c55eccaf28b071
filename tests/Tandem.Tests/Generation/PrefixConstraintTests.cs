using Tandem.Generation;
using Tandem.Generation.LogitsProcessors;
using static TorchSharp.torch;

namespace Tandem.Tests.Generation;

public sealed class PrefixConstraintTests
{
    // vocab: 0 pad, 1, 2 decoder start, 3 eos, 4, 5
    private static readonly float[] Probs = [.01f, .02f, .01f, .06f, .3f, .6f];

    private static GenerationConfig Config(PrefixAllowedTokensFn fn, int beams = 1) => new()
    {
        DecoderStartTokenId = 2, EosTokenId = [3], PadTokenId = 0, MaxLength = 4, NumBeams = beams,
        NumReturnSequences = beams, PrefixAllowedTokens = fn,
    };

    [Fact]
    public void OnlyKeepsTheGivenTokens_AllButDropsThem_NullOrEmptyLeavesTheRow()
    {
        using var scope = NewDisposeScope();
        var answers = new AllowedTokens?[] { AllowedTokens.Only([1, 3]), AllowedTokens.AllBut([0, 2]), null, AllowedTokens.Only([]) };
        var p = new PrefixConstrainedLogitsProcessor((input, _) => answers[input], rowsPerInput: 1);
        var scores = tensor(new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 }, [4, 4]);
        var got = p.Process(tensor(new long[] { 2, 2, 2, 2 }, [4, 1]), scores).data<float>().ToArray();
        float n = float.NegativeInfinity;
        Assert.Equal([n, 2, n, 4, n, 6, n, 8, 9, 10, 11, 12, 13, 14, 15, 16], got);
        Assert.Equal(1f, scores[0, 0].item<float>()); // input untouched
    }

    [Fact]
    public void RowsAreGroupedToTheirInputByBeams()
    {
        using var scope = NewDisposeScope();
        var seen = new List<int>();
        var p = new PrefixConstrainedLogitsProcessor((input, _) => { seen.Add(input); return null; }, rowsPerInput: 3);
        p.Process(zeros(6, 1, ScalarType.Int64), zeros(6, 5));
        Assert.Equal([0, 0, 0, 1, 1, 1], seen);
    }

    [Fact]
    public void AnIdOutsideTheVocabularyIsAnError()
    {
        using var scope = NewDisposeScope();
        var p = new PrefixConstrainedLogitsProcessor((_, _) => AllowedTokens.Only([9]), rowsPerInput: 1);
        Assert.Throws<TandemException>(() => p.Process(zeros(1, 1, ScalarType.Int64), zeros(1, 5)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void GreedyAndBeamSearchFollowTheConstraint(int beams)
    {
        var model = new ScriptedModel((_, _) => Probs.Select(p => MathF.Log(p)).ToArray());
        var (ids, mask) = ScriptedModel.Inputs(2);
        // the model prefers 5, then 4; the constraint asks for 4 after the start token and for 1 after that
        AllowedTokens? Rule(int _, long[] seq) => seq.Length switch { 1 => AllowedTokens.Only([4]), 2 => AllowedTokens.AllBut([5, 4, 3]), _ => null };
        var output = Tandem.Generation.Generator.Generate(model, ids, mask, Config(Rule, beams));
        Assert.All(output.Sequences, s => Assert.Equal(4L, s[1]));
        Assert.All(output.Sequences, s => Assert.DoesNotContain(s[2], new long[] { 3, 4, 5 }));
        Assert.Equal([2L, 4, 1], output.Sequences[0][..3]);           // the best of input 0
        Assert.Equal([2L, 4, 1], output.Sequences[beams][..3]);       // the best of input 1
        var free = Tandem.Generation.Generator.Generate(model, ids, mask, Config((_, _) => null, beams));
        Assert.Equal(5L, free.Sequences[0][1]);
    }
}

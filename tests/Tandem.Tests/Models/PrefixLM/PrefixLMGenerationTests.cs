using Tandem.Generation;
using Tandem.Modeling;
using Tandem.Models.PrefixLM;
using Tandem.Tests.TestSupport;
using static TorchSharp.torch;
using static Tandem.Tests.Models.PrefixLM.TinyPrefixLM;

namespace Tandem.Tests.Models.PrefixLM;

/// <summary>Decoding sessions of the prefix LM: cached = uncached, batched = one by one, teacher forcing = generation.</summary>
public class PrefixLMGenerationTests
{
    static readonly long[][] Sources =
    [
        Source([5, 9, 13, 21]),
        Source([7]),
        Source([30, 11, 4, 17, 25, 8, 6]),
    ];

    static GenerationOutput Generate(PrefixLMModel model, IReadOnlyList<long[]> sources, GenerationConfig config, bool useCache)
    {
        var (ids, mask) = Pack(sources);
        using var _i = ids;
        using var _m = mask;
        return Tandem.Generation.Generator.Generate(model, ids, mask, config, useCache);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void CachedAndUncachedGenerationAgree(int beams)
    {
        using var model = Create(seed: 7);
        model.eval();
        var config = Config(beams);
        config.OutputScores = true;
        var cached = Generate(model, Sources, config, useCache: true);
        var uncached = Generate(model, Sources, config, useCache: false);
        Assert.Equal(uncached.Sequences, cached.Sequences);
        Assert.True(cached.Sequences.All(s => s[0] == Sep));
        Assert.Equal(uncached.Scores!.Count, cached.Scores!.Count);
        for (int step = 0; step < cached.Scores.Count; step++)
            for (int row = 0; row < cached.Scores[step].Length; row++)
                for (int v = 0; v < cached.Scores[step][row].Length; v++)
                {
                    float a = cached.Scores[step][row][v], b = uncached.Scores[step][row][v];
                    Assert.True(a == b || Math.Abs(a - b) <= 1e-4, $"step {step} row {row} id {v}: {a} vs {b}");
                }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void BatchedSourcesOfDifferentLengthsGenerateAsOneByOne(int beams)
    {
        using var model = Create(seed: 11);
        model.eval();
        var config = Config(beams);
        var batched = Generate(model, Sources, config, useCache: true);
        for (int i = 0; i < Sources.Length; i++)
        {
            var alone = Generate(model, [Sources[i]], config, useCache: true).Sequences[0];
            var row = batched.Sequences[i];
            Assert.True(row.Length >= alone.Length);
            Assert.Equal(alone, row[..alone.Length]);
            Assert.All(row[alone.Length..], t => Assert.Equal(Pad, t));
        }
    }

    [Fact]
    public void BatchedForwardEqualsOneByOne()
    {
        using var model = Create(seed: 5);
        model.eval();
        long[][] targets = [[8, 3, Sep], [12, 14, 19, 22, 6, Sep], [Sep]];
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (ids, mask) = Pack(Sources);
        var (labels, _) = Pack(targets, Seq2SeqLabels.IgnoreIndex);
        using var batched = model.Forward(new Seq2SeqInput { InputIds = ids, AttentionMask = mask, Labels = labels });
        for (int i = 0; i < Sources.Length; i++)
        {
            using var alone = model.Forward(new Seq2SeqInput { InputIds = tensor(Sources[i]).unsqueeze(0), Labels = tensor(targets[i]).unsqueeze(0) });
            int n = targets[i].Length;
            Assert.True(Reference.MaxAbsDiff(batched.Logits[i, ..n], alone.Logits[0]) <= 1e-5);
            Assert.True(Reference.MaxAbsDiff(batched.EncoderLastHiddenState[i, ..Sources[i].Length], alone.EncoderLastHiddenState[0]) <= 1e-5);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void LeftPaddedSourcesGenerateAsRightPadded(int beams)
    {
        using var model = Create(seed: 13);
        model.eval();
        int len = Sources.Max(s => s.Length);
        var ids = tensor(Sources.SelectMany(s => Enumerable.Repeat((long)Pad, len - s.Length).Concat(s)).ToArray(), [Sources.Length, len]);
        var mask = tensor(Sources.SelectMany(s => Enumerable.Repeat(0L, len - s.Length).Concat(Enumerable.Repeat(1L, s.Length))).ToArray(), [Sources.Length, len]);
        using var _i = ids;
        using var _m = mask;
        var left = Tandem.Generation.Generator.Generate(model, ids, mask, Config(beams), useCache: true);
        var leftUncached = Tandem.Generation.Generator.Generate(model, ids, mask, Config(beams), useCache: false);
        var right = Generate(model, Sources, Config(beams), useCache: true);
        Assert.Equal(right.Sequences, left.Sequences);
        Assert.Equal(right.Sequences, leftUncached.Sequences);
    }

    [Fact]
    public void TeacherForcedLogitsAreTheGenerationStepLogits()
    {
        using var model = Create(seed: 3);
        model.eval();
        var config = Config(maxNewTokens: 6);
        config.OutputScores = true;
        config.EosTokenId = null;                                    // run the full length on every row
        var output = Generate(model, Sources, config, useCache: true);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (ids, mask) = Pack(Sources);
        var decoderInput = tensor(output.Sequences.SelectMany(s => s[..^1]).ToArray(), [Sources.Length, output.Sequences[0].Length - 1]);
        using var forced = model.Forward(new Seq2SeqInput { InputIds = ids, AttentionMask = mask, DecoderInputIds = decoderInput });
        for (int step = 0; step < output.Scores!.Count; step++)
        {
            var expected = tensor(output.Scores[step].SelectMany(x => x).ToArray(), [Sources.Length, output.Scores[step][0].Length]);
            Assert.True(Reference.MaxAbsDiff(forced.Logits[.., step], expected) <= 1e-4, $"step {step}");
        }
    }

    [Fact]
    public void SamplingRunsWithTheCache()
    {
        using var model = Create(seed: 9);
        model.eval();
        var config = Config();
        config.DoSample = true;
        config.Seed = 1;
        config.NumReturnSequences = 2;
        var a = Generate(model, Sources, config, useCache: true);
        var b = Generate(model, Sources, config, useCache: false);
        Assert.Equal(Sources.Length * 2, a.Sequences.Length);
        Assert.Equal(b.Sequences, a.Sequences);
    }
}

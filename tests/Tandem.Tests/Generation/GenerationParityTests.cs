using Tandem.Generation;
using Tandem.Models.EncoderDecoder;
using Tandem.Tests.TestSupport;
using static TorchSharp.torch;

namespace Tandem.Tests.Generation;

/// <summary>Generation with the real reference models against what transformers 4.40.2 generated.</summary>
public class GenerationParityTests
{
    static (EncoderDecoderModel Model, Reference Ref) Load(string name)
    {
        var r = Reference.Load(name);
        return (ReferenceRuns.Load(r.Dir), r);
    }

    static long[][] Rows(Reference r, string path) => r.Rows(path);

    static GenerationOutput Generate(EncoderDecoderModel model, Reference r, GenerationConfig config, bool useCache = true) =>
        ReferenceRuns.Generate(model, r, config, useCache);

    static GenerationConfig Config(EncoderDecoderModel m, Action<GenerationConfig> set) => ReferenceRuns.Config(m, c =>
    {
        c.MaxLength = 12;
        set(c);
    });

    [Theory]
    [InlineData(Reference.Eos, true)]
    [InlineData(Reference.Eos, false)]
    [InlineData(Reference.Plain, true)]
    public void GreedyMatchesTransformers(string name, bool useCache)
    {
        var (model, r) = Load(name);
        using var _ = model;
        var output = Generate(model, r, Config(model, c => c.OutputScores = true), useCache);
        Assert.Equal(Rows(r, "greedy.sequences"), output.Sequences);
        ReferenceRuns.AssertStepScores(r, "greedy.step_scores", output);
    }

    [Theory]
    [InlineData(Reference.Eos, "beam3", 1)]
    [InlineData(Reference.Eos, "beam3_nrs2", 2)]
    [InlineData(Reference.Plain, "beam3", 1)]
    [InlineData(Reference.Plain, "beam3_nrs2", 2)]
    public void BeamSearchMatchesTransformers(string name, string key, int returnSequences)
    {
        var (model, r) = Load(name);
        using var _ = model;
        var config = Config(model, c =>
        {
            c.NumBeams = 3;
            c.LengthPenalty = 1.0;
            c.EarlyStopping = EarlyStopping.True;
            c.NumReturnSequences = returnSequences;
        });
        foreach (var useCache in new[] { true, false })
        {
            var output = Generate(model, r, config, useCache);
            Assert.Equal(Rows(r, key + ".sequences"), output.Sequences);
            var expected = r[key + ".sequences_scores"].AsArray().Select(x => x!.GetValue<double>()).ToArray();
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], output.SequencesScores![i], 1e-4);
        }
    }

    [Fact]
    public void BatchedAndOneByOneGenerationAgree()
    {
        var (model, r) = Load(Reference.Eos);
        using var _ = model;
        foreach (var beams in new[] { 1, 3 })
        {
            var config = Config(model, c => c.NumBeams = beams);
            var batched = Generate(model, r, config);
            using var ids = r.Tensor("inputs.input_ids", ScalarType.Int64);
            using var mask = r.Tensor("inputs.attention_mask", ScalarType.Int64);
            for (int row = 0; row < 2; row++)
            {
                long len = mask[row].sum().item<long>();
                using var oneIds = ids[row..(row + 1), ..(int)len];
                using var oneMask = mask[row..(row + 1), ..(int)len];
                var single = Tandem.Generation.Generator.Generate(model, oneIds, oneMask, config);
                var expected = batched.Sequences[row].Take(single.Sequences[0].Length).ToArray();
                Assert.Equal(expected, single.Sequences[0]);
                Assert.All(batched.Sequences[row].Skip(single.Sequences[0].Length), t => Assert.Equal(0L, t));
            }
        }
    }

    [Fact]
    public void GreedyWithoutAttentionMaskOnTheFirstRowMatchesTransformers()
    {
        var (model, r) = Load(Reference.Eos);
        using var _ = model;
        using var ids = r.Tensor("inputs.input_ids", ScalarType.Int64);
        using var first = ids[..1];
        using var mask = ones_like(first);
        var output = Tandem.Generation.Generator.Generate(model, first, mask, Config(model, _ => { }));
        Assert.Equal(Rows(r, "greedy_no_attention_mask_first_row_only"), output.Sequences);
    }
}

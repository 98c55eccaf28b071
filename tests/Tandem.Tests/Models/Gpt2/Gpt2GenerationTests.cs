using Tandem.Generation;
using Tandem.Models.Gpt2;
using Tandem.Tests.TestSupport;
using static TorchSharp.torch;
using Generator = Tandem.Generation.Generator;

namespace Tandem.Tests.Models.Gpt2;

/// <summary>Decoder-only generation from left-padded prompts on tiny-gpt2 against transformers' generate: the
/// sequences include the prompt, finished rows are padded with eos (the config has no pad).</summary>
public class Gpt2GenerationTests
{
    const string Name = "tiny-gpt2";

    static GenerationOutput Generate(Gpt2LMHeadModel model, Reference r, Action<GenerationConfig> set, bool useCache)
    {
        var config = GenerationConfig.Parse(model.GenerationConfig.ToJson());
        config.MaxNewTokens = 12;
        config.OutputScores = true;
        set(config);
        using var ids = r.Tensor("inputs.input_ids", ScalarType.Int64);
        using var mask = r.Tensor("inputs.attention_mask", ScalarType.Int64);
        return Generator.Generate(model, ids, mask, config, useCache);
    }

    [Theory]
    [InlineData("greedy", true)]
    [InlineData("greedy", false)]
    [InlineData("greedy_use_cache_false", false)]
    public void GreedyMatchesTransformers(string key, bool useCache)
    {
        var r = Reference.Load(Name);
        using var model = Gpt2ParityTests.Load(r.Dir);
        var output = Generate(model, r, _ => { }, useCache);
        Assert.Equal(r.Rows($"generate.{key}.sequences"), output.Sequences);
        ReferenceRuns.AssertStepScores(r, $"generate.{key}.step_scores", output);
    }

    [Theory]
    [InlineData("beam3_nrs2", EarlyStopping.False)]
    [InlineData("beam3_nrs2_early_stopping", EarlyStopping.True)]
    public void BeamSearchMatchesTransformers(string key, EarlyStopping earlyStopping)
    {
        var r = Reference.Load(Name);
        using var model = Gpt2ParityTests.Load(r.Dir);
        foreach (var useCache in new[] { true, false })
        {
            var output = Generate(model, r, c =>
            {
                c.NumBeams = 3;
                c.NumReturnSequences = 2;
                c.EarlyStopping = earlyStopping;
            }, useCache);
            Assert.Equal(r.Rows($"generate.{key}.sequences"), output.Sequences);
            Assert.Equal(r.Rows($"generate.{key}.beam_indices"), output.BeamIndices!);
            var expected = r[$"generate.{key}.sequences_scores"].AsArray().Select(x => x!.GetValue<double>()).ToArray();
            Assert.Equal(expected.Length, output.SequencesScores!.Length);
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], output.SequencesScores[i], 1e-4);
            // Rows of a finished input continue from row 0's beam (transformers' beam scorer points them there):
            // their scores, garbage either way, differ between cached and uncached decoding, so only the cached run
            // (the reference's) is compared step by step.
            if (useCache) ReferenceRuns.AssertStepScores(r, $"generate.{key}.step_scores", output);
        }
    }

    [Fact]
    public void EachPromptAloneContinuesAsInTheBatch()
    {
        var r = Reference.Load(Name);
        using var model = Gpt2ParityTests.Load(r.Dir);
        var batched = r.Rows("generate.greedy.sequences");
        var prompts = r.Rows("inputs.prompts_unpadded");
        var config = GenerationConfig.Parse(model.GenerationConfig.ToJson());
        config.MaxNewTokens = 12;
        for (int row = 0; row < prompts.Length; row++)
        {
            using var ids = tensor(prompts[row], [1, prompts[row].Length]);
            using var mask = ones_like(ids);
            var single = Generator.Generate(model, ids, mask, config).Sequences[0];
            var generated = batched[row][^12..];
            Assert.Equal(prompts[row], single[..prompts[row].Length]);
            Assert.Equal(generated[..(single.Length - prompts[row].Length)], single[prompts[row].Length..]);
        }
    }

    [Fact]
    public void APromptAsLongAsMaxLengthIsRefused()
    {
        var r = Reference.Load(Name);
        using var model = Gpt2ParityTests.Load(r.Dir);
        var e = Assert.Throws<TandemException>(() => Generate(model, r, c => { c.MaxNewTokens = null; c.MaxLength = 7; }, true));
        Assert.Contains("prompt", e.Message);
    }
}

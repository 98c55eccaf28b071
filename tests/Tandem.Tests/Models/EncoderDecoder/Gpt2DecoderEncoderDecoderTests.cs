using System.Text.Json.Nodes;
using Tandem.Checkpoints;
using Tandem.Generation;
using Tandem.Models.EncoderDecoder;
using Tandem.Models.Gpt2;
using Tandem.Tests.TestSupport;
using static TorchSharp.torch;

namespace Tandem.Tests.Models.EncoderDecoder;

/// <summary>BERT2GPT2 and RoBERTa2GPT2 with <c>enc_to_dec_proj</c> against transformers 4.40.2: encoder states,
/// logits, losses, every recorded generation setting (penalties, n-gram blocking, min length, beams), loading from
/// two halves, and the folders Tandem writes.</summary>
public class Gpt2DecoderEncoderDecoderTests
{
    const double Tolerance = 1e-5;
    const string Bert2Gpt2 = "tiny-bert2gpt2", Roberta2Gpt2 = "tiny-roberta2gpt2-proj";

    [Theory]
    [InlineData(Bert2Gpt2)]
    [InlineData(Roberta2Gpt2)]
    public void EncoderStatesLogitsAndLossesMatchTransformers(string name)
    {
        var r = Reference.Load(name);
        using var model = ReferenceRuns.Load(r.Dir);
        Assert.IsType<Gpt2LMHeadModel>(model.Decoder);
        ReferenceRuns.AssertForwardMatches(model, r, Tolerance,
            name == Roberta2Gpt2 ? "encoder_hidden_states_projected" : "encoder_last_hidden_state");
    }

    /// <summary>Every generation setting the two folders recorded.</summary>
    public static TheoryData<string, string> Settings => new()
    {
        { Bert2Gpt2, "greedy" }, { Bert2Gpt2, "greedy_use_cache_false" }, { Bert2Gpt2, "beam3" }, { Bert2Gpt2, "beam3_nrs3" },
        { Roberta2Gpt2, "greedy" }, { Roberta2Gpt2, "greedy_use_cache_false" }, { Roberta2Gpt2, "beam4_lp2_nrs2" },
        { Roberta2Gpt2, "beam4_lp2_nrs2_no_repeat_ngram2" }, { Roberta2Gpt2, "greedy_repetition_penalty_1.3" },
        { Roberta2Gpt2, "greedy_min_length_8" },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void GenerationMatchesTransformers(string name, string key)
    {
        var r = Reference.Load(name);
        using var model = ReferenceRuns.Load(r.Dir);
        var setting = r["generate"][key]!;                                                     // keys may hold a '.'
        var kwargs = setting["kwargs"]!.AsObject();
        var merged = JsonNode.Parse(model.GenerationConfig.ToJson())!.AsObject();
        foreach (var (k, v) in kwargs) if (k != "use_cache") merged[k] = v?.DeepClone();
        var config = GenerationConfig.Parse(merged.ToJsonString());
        config.OutputScores = true;
        bool useCache = kwargs["use_cache"]?.GetValue<bool>() ?? true;
        var output = ReferenceRuns.Generate(model, r, config, useCache);
        Assert.Equal(Rows(setting["sequences"]!), output.Sequences);
        using (var steps = Reference.ToTensor(setting["step_scores"]!, ScalarType.Float32))
        {
            var indices = setting["beam_indices"] is { } bi ? Rows(bi) : null;
            ReferenceRuns.AssertStepScores(steps, output, compared: indices is null ? null
                : (step, row) => Running(step, row, config.NumBeams, indices, config.NumReturnSequences));
        }
        if (setting["sequences_scores"] is JsonArray scores)
        {
            Assert.Equal(Rows(setting["beam_indices"]!), output.BeamIndices!);
            for (int i = 0; i < scores.Count; i++) Assert.Equal(scores[i]!.GetValue<double>(), output.SequencesScores![i], 1e-4);
        }
        var other = ReferenceRuns.Generate(model, r, config, !useCache);                        // cached = uncached
        Assert.Equal(output.Sequences, other.Sequences);
    }

    static long[][] Rows(JsonNode node) => node.AsArray().Select(row => row!.AsArray().Select(x => x!.GetValue<long>()).ToArray()).ToArray();

    /// <summary>Whether beam row <paramref name="row"/>'s input certainly still runs at <paramref name="step"/>: up to
    /// its longest returned hypothesis. Once an input is done, transformers points its rows at row 0's cache but
    /// keeps the input's own encoder mask, while Tandem's session moves the mask with the rows, so those unused
    /// scores differ (reported to the EncoderDecoderSession owner).</summary>
    static bool Running(int step, int row, int beams, long[][] beamIndices, int returned) =>
        Enumerable.Range(row / beams * returned, returned).Max(i => beamIndices[i].Count(x => x >= 0)) > step;

    [Theory]
    [InlineData(Bert2Gpt2)]
    [InlineData(Roberta2Gpt2)]
    public void TwoHalvesAndBinLoadAsTransformersDoes(string name)
    {
        var r = Reference.Load(name);
        using var root = ReferenceRuns.Load(r.Dir);
        using var tmp = Paths.TempDir();
        File.Copy(Path.Combine(r.Dir, "config.json"), tmp["config.json"]);
        File.Copy(Path.Combine(r.Dir, "pytorch_model.bin"), tmp["pytorch_model.bin"]);
        using var fromBin = ReferenceRuns.Load(tmp.Path);
        var ids = WarmStartIds(Path.Combine(r.Dir, "decoder"));
        Assert.Equal(root.SpecialIds, ids);                                                     // bos, the decoder config's pad 0, eos
        var (warm, report) = EncoderDecoderModel.FromEncoderDecoderPretrained(Path.Combine(r.Dir, "encoder"), Path.Combine(r.Dir, "decoder"),
            new WarmStartOptions { DecoderStartTokenId = ids.DecoderStart, PadTokenId = ids.Pad, EosTokenId = ids.Eos });
        using var _ = warm;
        warm.eval();
        Assert.Empty(report.EncoderLoad!.Missing);
        Assert.Empty(report.DecoderLoad!.Missing);
        Assert.Empty(report.DecoderLoad.Unused);
        Assert.Same(warm.state_dict()["decoder.transformer.wte.weight"], warm.state_dict()["decoder.lm_head.weight"]);
        using var a = ReferenceRuns.Forward(root, r, true);
        using var b = ReferenceRuns.Forward(fromBin, r, true);
        Assert.Equal(0.0, Reference.MaxAbsDiff(a.Logits, b.Logits));
        if (name == Roberta2Gpt2)
        {
            // enc_to_dec_proj is in neither half: new, so the logits differ (as in transformers); with the root's
            // projection copied in they are equal
            var sd = warm.state_dict();
            using (no_grad())
                foreach (var k in new[] { "enc_to_dec_proj.weight", "enc_to_dec_proj.bias" }) sd[k].copy_(root.state_dict()[k]);
        }
        using var c = ReferenceRuns.Forward(warm, r, true);
        Assert.Equal(0.0, Reference.MaxAbsDiff(a.Logits, c.Logits));
    }

    /// <summary>The special ids the GPT-2 family picks for a seq2seq model warm-started with this decoder.</summary>
    static Tandem.Modeling.SpecialTokenIds WarmStartIds(string decoderDir)
    {
        var config = Tandem.Models.ModelFamilies.LoadConfig(decoderDir);
        return Tandem.Models.ModelFamilies.Of(config).WarmStartIds(config, null)!;
    }

    [Fact]
    public void AGpt2WithoutPadTokenPadsWithEos()
    {
        Assert.Equal(new Tandem.Modeling.SpecialTokenIds(90, 90, 90), WarmStartIds(Paths.Reference("tiny-gpt2")));  // start = bos, pad = eos, eos
        var encoder = Path.Combine(Paths.Reference(Bert2Gpt2), "encoder");
        var (model, report) = EncoderDecoderModel.FromEncoderDecoderPretrained(encoder, Paths.Reference("tiny-gpt2"));
        using var _ = model;
        Assert.Contains(report.Describe(), l => l.Contains("newly initialized") && l.Contains("crossattention.q_attn"));
        Assert.NotNull(model.state_dict().GetValueOrDefault("enc_to_dec_proj.weight"));        // 40 -> 32
    }

    [Theory]
    [InlineData(Bert2Gpt2)]
    [InlineData(Roberta2Gpt2)]
    public void SavedFoldersHaveTransformersKeysShapesAndConfig(string name)
    {
        var r = Reference.Load(name);
        using var model = ReferenceRuns.Load(r.Dir);
        using var tmp = Paths.TempDir();
        model.SavePretrained(tmp.Path);
        var expected = r["checkpoint_layout.root.safetensors.tensors"].AsObject()
            .ToDictionary(kv => kv.Key, kv => kv.Value!["shape"]!.AsArray().Select(x => x!.GetValue<long>()).ToArray());
        var saved = SafeTensors.ReadShapes(tmp["model.safetensors"]);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), saved.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, shape) in expected) Assert.Equal(shape, saved[key]);
        var want = JsonNode.Parse(File.ReadAllText(Path.Combine(r.Dir, "config.json")))!.AsObject();
        var got = JsonNode.Parse(File.ReadAllText(tmp["config.json"]))!.AsObject();
        Assert.Equal(want["decoder"]!.AsObject().Select(kv => kv.Key).Order(), got["decoder"]!.AsObject().Select(kv => kv.Key).Order());
        foreach (var (key, value) in want["decoder"]!.AsObject())
            Assert.True(JsonNode.DeepEquals(value, got["decoder"]![key]), $"decoder.{key}: {value?.ToJsonString()} vs {got["decoder"]![key]?.ToJsonString()}");
        using var reloaded = ReferenceRuns.Load(tmp.Path);
        using var a = ReferenceRuns.Forward(model, r, true);
        using var b = ReferenceRuns.Forward(reloaded, r, true);
        Assert.Equal(0.0, Reference.MaxAbsDiff(a.Logits, b.Logits));
    }
}

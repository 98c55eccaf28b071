using System.Text.Json.Nodes;
using Tandem.Checkpoints;
using Tandem.Generation;
using Tandem.Modeling;
using Tandem.Models.EncoderDecoder;
using Tandem.Tests.TestSupport;
using static TorchSharp.torch;

namespace Tandem.Tests.Models.EncoderDecoder;

/// <summary>RoBERTa2RoBERTa and RoBERTaShare (left-padded sources) against transformers 4.40.2: logits, losses,
/// generation, loading from either weights file and from two halves, and the folders Tandem writes.</summary>
public class RobertaEncoderDecoderTests
{
    const double Tolerance = 1e-5;

    [Theory]
    [InlineData(Reference.Roberta2Roberta)]
    [InlineData(Reference.RobertaShare)]
    public void LogitsLossesAndShiftedLabelsMatchTransformers(string name)
    {
        var r = Reference.Load(name);
        using var model = ReferenceRuns.Load(r.Dir);
        ReferenceRuns.AssertForwardMatches(model, r, Tolerance);
        using var labels = r.Tensor("inputs.labels", ScalarType.Int64);
        using var shifted = Seq2SeqLabels.ShiftTokensRight(labels, model.Config.PadTokenId!.Value, model.Config.DecoderStartTokenId!.Value);
        Assert.Equal(r.Rows("shifted_decoder_input_ids_from_labels"), Enumerable.Range(0, (int)shifted.shape[0]).Select(i => shifted[i].data<long>().ToArray()).ToArray());
    }

    [Theory]
    [InlineData(Reference.Roberta2Roberta, "greedy", true)]
    [InlineData(Reference.Roberta2Roberta, "greedy_use_cache_false", false)]
    [InlineData(Reference.RobertaShare, "greedy", true)]
    [InlineData(Reference.RobertaShare, "greedy_use_cache_false", false)]
    public void GreedyMatchesTransformersWithAndWithoutCache(string name, string key, bool useCache)
    {
        var r = Reference.Load(name);
        using var model = ReferenceRuns.Load(r.Dir);
        var config = ReferenceRuns.Config(model, c => { c.MaxNewTokens = 12; c.OutputScores = true; });
        var output = ReferenceRuns.Generate(model, r, config, useCache);
        Assert.Equal(r.Rows($"generate.{key}.sequences"), output.Sequences);
        ReferenceRuns.AssertStepScores(r, $"generate.{key}.step_scores", output);
        var other = ReferenceRuns.Generate(model, r, config, !useCache);                        // cached = uncached
        Assert.Equal(output.Sequences, other.Sequences);
    }

    [Theory]
    [InlineData(Reference.Roberta2Roberta, "beam3", 1)]
    [InlineData(Reference.Roberta2Roberta, "beam3_nrs3", 3)]
    [InlineData(Reference.RobertaShare, "beam3", 1)]
    [InlineData(Reference.RobertaShare, "beam3_nrs3", 3)]
    public void BeamSearchMatchesTransformers(string name, string key, int returnSequences)
    {
        var r = Reference.Load(name);
        using var model = ReferenceRuns.Load(r.Dir);
        var config = ReferenceRuns.Config(model, c =>
        {
            c.MaxNewTokens = 12;
            c.NumBeams = 3;
            c.LengthPenalty = 1.0;
            c.EarlyStopping = EarlyStopping.True;
            c.NumReturnSequences = returnSequences;
        });
        foreach (var useCache in new[] { true, false })
        {
            var output = ReferenceRuns.Generate(model, r, config, useCache);
            Assert.Equal(r.Rows($"generate.{key}.sequences"), output.Sequences);
            var expected = r[$"generate.{key}.sequences_scores"].AsArray().Select(x => x!.GetValue<double>()).ToArray();
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], output.SequencesScores![i], 1e-4);
        }
    }

    [Theory]
    [InlineData(Reference.Roberta2Roberta)]
    [InlineData(Reference.RobertaShare)]
    public void SafetensorsBinAndTwoHalvesGiveTheSameLogits(string name)
    {
        var r = Reference.Load(name);
        using var fromSafetensors = ReferenceRuns.Load(r.Dir);
        using var tmp = Paths.TempDir();
        File.Copy(Path.Combine(r.Dir, "config.json"), tmp["config.json"]);
        File.Copy(Path.Combine(r.Dir, "pytorch_model.bin"), tmp["pytorch_model.bin"]);
        using var fromBin = ReferenceRuns.Load(tmp.Path);
        var (warm, report) = EncoderDecoderModel.FromEncoderDecoderPretrained(Path.Combine(r.Dir, "encoder"), Path.Combine(r.Dir, "decoder"),
            new WarmStartOptions { DecoderStartTokenId = 0, PadTokenId = 1, EosTokenId = 2 });
        using var _ = warm;
        warm.eval();
        Assert.Empty(report.EncoderLoad!.Missing);                                              // transformers: every weight used
        Assert.Empty(report.DecoderLoad!.Missing);
        Assert.Empty(report.DecoderLoad.Unused);
        Assert.DoesNotContain(report.Describe(), l => l.Contains("newly initialized"));
        using var a = ReferenceRuns.Forward(fromSafetensors, r, true);
        using var b = ReferenceRuns.Forward(fromBin, r, true);
        using var c = ReferenceRuns.Forward(warm, r, true);
        Assert.Equal(0.0, Reference.MaxAbsDiff(a.Logits, b.Logits));
        Assert.Equal(r["reload_checks.from_encoder_decoder_pretrained(encoder/, decoder/).max_abs_diff_logits"].GetValue<double>(),
            Reference.MaxAbsDiff(a.Logits, c.Logits));
    }

    [Theory]
    [InlineData(Reference.Roberta2Roberta)]
    [InlineData(Reference.RobertaShare)]
    public void TensorsSharedInMemoryAreThoseOfTransformers(string name)
    {
        var r = Reference.Load(name);
        using var model = ReferenceRuns.Load(r.Dir);
        var sd = model.state_dict();
        var groups = r["shared_parameter_groups_in_memory"].AsArray().Select(g => g!.AsArray().Select(k => k!.GetValue<string>()).ToList()).ToList();
        foreach (var group in groups)
            Assert.All(group, k => Assert.Same(sd[group[0]], sd[k]));
        var distinct = sd.Values.Distinct(ReferenceEqualityComparer.Instance).Count();
        Assert.Equal(sd.Count - groups.Sum(g => g.Count - 1), distinct);                      // nothing else is shared
    }

    [Fact]
    public void WarmStartingTheDecoderFromTheEncoderNewlyInitialisesCrossAttentionAndTheHead()
    {
        var r = Reference.Load(Reference.Roberta2Roberta);
        var encoderDir = Path.Combine(r.Dir, "encoder");
        var (model, report) = EncoderDecoderModel.FromEncoderDecoderPretrained(encoderDir, encoderDir);
        using var _ = model;
        var decoderKeys = model.Decoder.Module.state_dict().Keys.ToList();
        var expected = decoderKeys.Where(k => k.Contains(".crossattention.") || k.StartsWith("lm_head.")).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, report.DecoderLoad!.NotFromCheckpoint);
        Assert.Equal(decoderKeys.Count - expected.Count, report.DecoderLoad.Loaded.Count);
        Assert.Equal(["pooler.dense.bias", "pooler.dense.weight"], report.DecoderLoad.Unused.Order().ToList());
        Assert.Contains(report.Describe(), l => l.StartsWith("Some weights of RobertaForCausalLM (decoder) were not initialized") && l.Contains("crossattention"));
    }

    [Theory]
    [InlineData(Reference.Roberta2Roberta)]
    [InlineData(Reference.RobertaShare)]
    public void SavedFoldersHaveTransformersKeysShapesAndConfig(string name)
    {
        var r = Reference.Load(name);
        using var model = ReferenceRuns.Load(r.Dir);
        using var tmp = Paths.TempDir();
        model.SavePretrained(tmp["safe"]);
        model.SavePretrained(tmp["bin"], safeSerialization: false);
        var expected = r["checkpoint_layout.root.safetensors.tensors"].AsObject()
            .ToDictionary(kv => kv.Key, kv => kv.Value!["shape"]!.AsArray().Select(x => x!.GetValue<long>()).ToArray());
        var saved = SafeTensors.ReadShapes(Path.Combine(tmp["safe"], "model.safetensors"));
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), saved.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, shape) in expected) Assert.Equal(shape, saved[key]);

        var binKeys = StateDictFiles.LoadFile(Path.Combine(tmp["bin"], "pytorch_model.bin"));
        Assert.Equal(r.Strings("checkpoint_layout.root.bin_keys").Order(StringComparer.Ordinal), binKeys.Keys.Order(StringComparer.Ordinal));
        foreach (var t in binKeys.Values) t.Dispose();
        using (var zip = System.IO.Compression.ZipFile.OpenRead(Path.Combine(tmp["bin"], "pytorch_model.bin")))
            Assert.Equal(expected.Count, zip.Entries.Count(e => e.FullName.Contains("/data/")));   // tied tensors share one storage

        var want = JsonNode.Parse(File.ReadAllText(Path.Combine(r.Dir, "config.json")))!.AsObject();
        var got = JsonNode.Parse(File.ReadAllText(Path.Combine(tmp["safe"], "config.json")))!.AsObject();
        foreach (var side in new[] { "encoder", "decoder" })
            foreach (var (key, value) in want[side]!.AsObject())
                Assert.True(JsonNode.DeepEquals(value, got[side]![key]), $"{side}.{key}: {value?.ToJsonString()} vs {got[side]![key]?.ToJsonString()}");
        foreach (var key in new[] { "model_type", "is_encoder_decoder", "decoder_start_token_id", "pad_token_id", "eos_token_id", "tie_encoder_decoder" })
            Assert.True(JsonNode.DeepEquals(want[key] ?? false, got[key]), key);                // transformers omits a false tie_encoder_decoder

        using var reloaded = ReferenceRuns.Load(tmp["safe"]);
        using var a = ReferenceRuns.Forward(model, r, true);
        using var b = ReferenceRuns.Forward(reloaded, r, true);
        Assert.Equal(0.0, Reference.MaxAbsDiff(a.Logits, b.Logits));
    }
}

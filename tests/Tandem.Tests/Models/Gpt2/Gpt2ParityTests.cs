using Tandem.Modeling;
using Tandem.Models.CausalLM;
using Tandem.Models.Gpt2;
using Tandem.Tests.TestSupport;
using static TorchSharp.torch;

namespace Tandem.Tests.Models.Gpt2;

/// <summary>GPT-2 as a causal LM on tiny-gpt2 (left-padded prompts) against transformers 4.40.2.</summary>
public class Gpt2ParityTests
{
    const double Tolerance = 1e-5;
    const string Name = "tiny-gpt2";

    internal static Gpt2LMHeadModel Load(string dir)
    {
        var model = Gpt2LMHeadModel.FromPretrained(dir);
        model.eval();
        return model;
    }

    /// <summary>Logits for the reference inputs with <paramref name="positions"/> (null: GPT-2's default).</summary>
    static Tensor Logits(Gpt2LMHeadModel model, Reference r, Tensor? positions)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return model.forward(new DecoderInput
        {
            InputIds = r.Tensor("inputs.input_ids", ScalarType.Int64),
            AttentionMask = r.Tensor("inputs.attention_mask", ScalarType.Int64),
            PositionIds = positions,
        }).MoveToOuterDisposeScope();
    }

    /// <summary>Largest difference at real (mask 1) positions: pad query rows only see masked keys, whose values
    /// come from transformers' mask arithmetic (README).</summary>
    static double DiffAtTokens(Tensor actual, Tensor expected, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var keep = mask.eq(0).unsqueeze(-1);                                                    // [batch, len, 1]
        return Reference.MaxAbsDiff(actual.masked_fill(keep, 0), expected.masked_fill(keep, 0));
    }

    [Fact]
    public void PositionIdsFromTheMaskAreTransformers()
    {
        var r = Reference.Load(Name);
        using var mask = r.Tensor("inputs.attention_mask", ScalarType.Int64);
        using var expected = r.Tensor("inputs.position_ids", ScalarType.Int64);
        using var actual = CausalLMInputs.PositionIds(mask);
        Assert.True(actual.eq(expected).all().item<bool>());
    }

    [Theory]
    [InlineData("model.safetensors")]
    [InlineData("pytorch_model.bin")]
    public void LogitsLossAndHiddenStatesMatchTransformers(string file)
    {
        var r = Reference.Load(Name);
        using var dir = Paths.TempDir();
        File.Copy(Path.Combine(r.Dir, "config.json"), dir["config.json"]);
        File.Copy(Path.Combine(r.Dir, file), dir[file]);
        using var model = Load(dir.Path);
        using var mask = r.Tensor("inputs.attention_mask", ScalarType.Int64);
        using var positions = r.Tensor("inputs.position_ids", ScalarType.Int64);
        using var logits = Logits(model, r, positions);
        using var expected = r.Tensor("logits");
        double diff = DiffAtTokens(logits, expected, mask);
        Assert.True(diff <= Tolerance, $"logits differ by {diff}");

        using var labels = r.Tensor("inputs.labels", ScalarType.Int64);
        using var loss = CausalLMInputs.Loss(logits, labels);
        Assert.Equal(r["loss"].GetValue<double>(), loss.item<float>(), Tolerance);

        using var ids = r.Tensor("inputs.input_ids", ScalarType.Int64);
        using var hidden = model.Transformer.forward(new DecoderInput { InputIds = ids, AttentionMask = mask, PositionIds = positions });
        using var last = r.Tensor("hidden_states")[-1];                                         // ln_f of the last block
        Assert.True(DiffAtTokens(hidden, last, mask) <= Tolerance);
    }

    [Fact]
    public void DefaultPositionIdsAreArangeAsInTransformers()
    {
        var r = Reference.Load(Name);
        using var model = Load(r.Dir);
        using var mask = r.Tensor("inputs.attention_mask", ScalarType.Int64);
        using var logits = Logits(model, r, positions: null);
        using var expected = r.Tensor("logits_default_position_ids");
        using var shifted = r.Tensor("logits");
        Assert.True(DiffAtTokens(logits, expected, mask) <= Tolerance);
        Assert.True(DiffAtTokens(logits, shifted, mask) > 1e-3);                                // arange is wrong for left pads
    }

    [Fact]
    public void LegacyBinWithMaskBuffersAndNoTransformerPrefixLoads()
    {
        var r = Reference.Load(Name);
        using var reference = Load(r.Dir);
        using var dir = Paths.TempDir();
        File.Copy(Path.Combine(r.Dir, "config.json"), dir["config.json"]);
        using (var scope = NewDisposeScope())
        {
            // as the hub's gpt2 pytorch_model.bin: saved from GPT2Model (no "transformer."), with the mask buffers
            var tensors = new Dictionary<string, Tensor>();
            foreach (var (key, t) in reference.Transformer.state_dict()) tensors[key] = t.detach().clone();
            for (int i = 0; i < reference.Config.NLayer; i++)
            {
                tensors[$"h.{i}.attn.bias"] = ones(1, 1, 40, 40).tril();
                tensors[$"h.{i}.attn.masked_bias"] = tensor(-1e4f);
            }
            TorchSharp.PyBridge.PyTorchPickler.PickleStateDict(dir["pytorch_model.bin"], tensors);
        }
        using var model = Load(dir.Path);
        var r2 = Reference.Load(Name);
        using var positions = r2.Tensor("inputs.position_ids", ScalarType.Int64);
        using var a = Logits(model, r2, positions);
        using var b = Logits(reference, r2, positions);
        Assert.Equal(0.0, Reference.MaxAbsDiff(a, b));
    }

    [Fact]
    public void SavePretrainedWritesTransformersLayoutAndConfig()
    {
        var r = Reference.Load(Name);
        using var model = Load(r.Dir);
        using var dir = Paths.TempDir();
        model.SavePretrained(dir.Path);

        var header = Tandem.Checkpoints.SafeTensors.ReadShapes(dir["model.safetensors"]);
        var expected = r["checkpoint_layout.safetensors.tensors"].AsObject()
            .ToDictionary(kv => kv.Key, kv => kv.Value!["shape"]!.AsArray().Select(x => x!.GetValue<long>()).ToArray());
        Assert.Equal(expected.Keys.Order(), header.Keys.Order());
        foreach (var (key, shape) in expected) Assert.Equal(shape, header[key]);

        var mine = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(dir["config.json"]))!.AsObject();
        var theirs = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(r.Dir, "config.json")))!.AsObject();
        Assert.Equal(theirs.Select(kv => kv.Key).Order(), mine.Select(kv => kv.Key).Order());
        foreach (var (key, value) in theirs)
            Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(value, mine[key]), $"config.json '{key}': {mine[key]} != {value}");
        var generation = Tandem.Generation.GenerationConfig.Load(dir["generation_config.json"]);
        Assert.Equal(90, generation.BosTokenId);
        Assert.Equal([90], generation.EosTokenId!);

        using var reloaded = Load(dir.Path);
        using var positions = r.Tensor("inputs.position_ids", ScalarType.Int64);
        using var a = Logits(model, r, positions);
        using var b = Logits(reloaded, r, positions);
        Assert.Equal(0.0, Reference.MaxAbsDiff(a, b));
        Assert.Same(reloaded.Transformer.WordEmbeddings, reloaded.state_dict()["lm_head.weight"]);
    }
}

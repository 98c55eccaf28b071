using System.Text.Json.Nodes;
using Tandem.Checkpoints;
using Tandem.Models.Bert;
using Tandem.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Tests.Checkpoints;

/// <summary>The key variants and file layouts published BERT checkpoints use all load to the same model.</summary>
public class CheckpointLoadingTests
{
    static readonly string EncoderDir = Paths.Reference(Reference.Eos, "encoder");

    static Tensor Hidden(BertModel model)
    {
        model.eval();
        var r = Reference.Load(Reference.Eos);
        using var ids = r.Tensor("inputs.input_ids", ScalarType.Int64);
        using var mask = r.Tensor("inputs.attention_mask", ScalarType.Int64);
        using var output = model.forward(ids, mask);
        return output.LastHiddenState.detach().clone();
    }

    static string WriteVariant(TempDir tmp, Func<string, string> rename, Func<Tensor, Tensor>? convert = null, string? extraKey = null)
    {
        File.Copy(Path.Combine(EncoderDir, "config.json"), tmp["config.json"], true);
        using var sd = new StateDict(SafeTensors.Load(Path.Combine(EncoderDir, "model.safetensors")));
        var renamed = sd.Tensors.Select(kv => new KeyValuePair<string, Tensor>(rename(kv.Key), convert is null ? kv.Value : convert(kv.Value))).ToList();
        if (extraKey is not null) renamed.Add(new(extraKey, arange(64, dtype: ScalarType.Int64).unsqueeze(0)));
        SafeTensors.Save(tmp["model.safetensors"], renamed);
        return tmp.Path;
    }

    [Fact]
    public void PrefixedLegacyAndBufferKeysLoadLikeThePlainCheckpoint()
    {
        using var plain = BertModel.FromPretrained(EncoderDir);
        using var expected = Hidden(plain);
        using var tmp = Paths.TempDir();
        var dir = WriteVariant(tmp,
            k => "bert." + k.Replace("LayerNorm.weight", "LayerNorm.gamma").Replace("LayerNorm.bias", "LayerNorm.beta"),
            extraKey: "bert.embeddings.position_ids");
        using var variant = BertModel.FromPretrained(dir);
        using var actual = Hidden(variant);
        Assert.Equal(0.0, Reference.MaxAbsDiff(expected, actual));
    }

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    public void HalfPrecisionWeightsAreConvertedToTheModelsDtype(ScalarType dtype)
    {
        using var tmp = Paths.TempDir();
        var dir = WriteVariant(tmp, k => k, t => t.to(dtype));
        using var model = BertModel.FromPretrained(dir);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        using var plain = BertModel.FromPretrained(EncoderDir);
        using var a = Hidden(model);
        using var b = Hidden(plain);
        Assert.True(Reference.MaxAbsDiff(a, b) < (dtype == ScalarType.Float16 ? 0.05 : 0.3));
    }

    [Fact]
    public void ShardedSafetensorsLoad()
    {
        using var tmp = Paths.TempDir();
        File.Copy(Path.Combine(EncoderDir, "config.json"), tmp["config.json"]);
        using var sd = new StateDict(SafeTensors.Load(Path.Combine(EncoderDir, "model.safetensors")));
        var keys = sd.Tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        var map = new JsonObject();
        for (int shard = 0; shard < 2; shard++)
        {
            var name = $"model-0000{shard + 1}-of-00002.safetensors";
            var part = keys.Where((_, i) => i % 2 == shard).ToList();
            SafeTensors.Save(tmp[name], part.Select(k => new KeyValuePair<string, Tensor>(k, sd.Tensors[k])));
            foreach (var k in part) map[k] = name;
        }
        File.WriteAllText(tmp["model.safetensors.index.json"], new JsonObject { ["metadata"] = new JsonObject(), ["weight_map"] = map }.ToJsonString());
        using var sharded = BertModel.FromPretrained(tmp.Path);
        using var plain = BertModel.FromPretrained(EncoderDir);
        using var a = Hidden(sharded);
        using var b = Hidden(plain);
        Assert.Equal(0.0, Reference.MaxAbsDiff(a, b));
    }

    [Fact]
    public void PytorchBinLoads()
    {
        using var tmp = Paths.TempDir();
        File.Copy(Path.Combine(EncoderDir, "config.json"), tmp["config.json"]);
        File.Copy(Path.Combine(EncoderDir, "pytorch_model.bin"), tmp["pytorch_model.bin"]);
        using var fromBin = BertModel.FromPretrained(tmp.Path);
        using var plain = BertModel.FromPretrained(EncoderDir);
        using var a = Hidden(fromBin);
        using var b = Hidden(plain);
        Assert.Equal(0.0, Reference.MaxAbsDiff(a, b));
    }

    [Fact]
    public void SaveThenLoadIsBitIdentical()
    {
        using var tmp = Paths.TempDir();
        using (var model = BertModel.FromPretrained(EncoderDir)) model.SavePretrained(tmp.Path);
        using var a = new StateDict(SafeTensors.Load(Path.Combine(EncoderDir, "model.safetensors")));
        using var b = new StateDict(SafeTensors.Load(tmp["model.safetensors"]));
        Assert.Equal(a.Tensors.Keys.Order(), b.Tensors.Keys.Order());
        foreach (var (k, t) in a.Tensors) Assert.True(t.equal(b.Tensors[k]).all().item<bool>(), k);
    }

    [Fact]
    public void StrictLoadingListsEveryProblemInOneError()
    {
        using var tmp = Paths.TempDir();
        var dir = WriteVariant(tmp, k => k == "pooler.dense.bias" ? "pooler.dense.bias_renamed" : k, extraKey: null);
        var e = Assert.Throws<TandemException>(() => BertModel.FromPretrained(dir));
        Assert.Contains("missing 1: pooler.dense.bias", e.Message);
        Assert.Contains("unexpected 1: pooler.dense.bias_renamed", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }
}

using System.Text;
using System.Text.Json.Nodes;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Reliability;

/// <summary>Bad model folders as <c>tandem info</c> and <c>tandem embed</c> meet them: missing files, truncated or
/// hostile safetensors headers, contradictory config.json, broken tokenizer files.</summary>
[Trait("Category", "Reliability")]
public sealed class CheckpointInputTests
{
    static BadInputCase Info(string dir, params string[] expect) => new(["info", "--model", dir], expect);

    static BadInputCase Embed(string dir, params string[] expect) => new(["embed", "--model", dir, "the cat"], expect);

    /// <summary>The tiny encoder with its model.safetensors header rewritten by <paramref name="edit"/> (data kept).</summary>
    static string EditHeader(TempDir tmp, Action<JsonObject> edit)
    {
        var dir = BadInput.Bert(tmp["m"]);
        var path = Path.Combine(dir, "model.safetensors");
        var bytes = File.ReadAllBytes(path);
        long n = BitConverter.ToInt64(bytes, 0);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n))!.AsObject();
        edit(header);
        WriteSafetensors(path, header.ToJsonString(), bytes[(8 + (int)n)..]);
        return dir;
    }

    static void WriteSafetensors(string path, string header, byte[] data)
    {
        var h = Encoding.UTF8.GetBytes(header);
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((long)h.Length), .. h, .. data]);
    }

    /// <summary>The tiny encoder with its header replaced by <paramref name="header"/> text (data kept).</summary>
    static string RawHeader(TempDir tmp, Func<string, string> header)
    {
        var dir = BadInput.Bert(tmp["m"]);
        var path = Path.Combine(dir, "model.safetensors");
        var bytes = File.ReadAllBytes(path);
        int n = (int)BitConverter.ToInt64(bytes, 0);
        WriteSafetensors(path, header(Encoding.UTF8.GetString(bytes, 8, n).TrimEnd()), bytes[(8 + n)..]);
        return dir;
    }

    const string Bias = "embeddings.LayerNorm.bias", Weight = "embeddings.LayerNorm.weight";

    static readonly Dictionary<string, Func<TempDir, BadInputCase>> Cases = new()
    {
        ["model folder that does not exist"] = t => Info(t["nowhere"], "nowhere", "neither a folder nor a known embedded model"),
        ["folder without config.json"] = t => { var d = BadInput.Bert(t["m"]); File.Delete(Path.Combine(d, "config.json")); return Info(d, "config.json", "not found"); },
        ["folder without weights"] = t => { var d = BadInput.Bert(t["m"]); File.Delete(Path.Combine(d, "model.safetensors")); return Info(d, "no weights found"); },
        ["model.safetensors of 0 bytes"] = t => { var d = BadInput.Bert(t["m"]); File.WriteAllBytes(Path.Combine(d, "model.safetensors"), []); return Info(d, "model.safetensors", "only 0 bytes"); },
        ["model.safetensors cut 100 bytes short"] = t =>
        {
            var d = BadInput.Bert(t["m"]);
            var p = Path.Combine(d, "model.safetensors");
            var b = File.ReadAllBytes(p);
            File.WriteAllBytes(p, b[..^100]);
            return Info(d, "model.safetensors", "truncated");
        },
        ["safetensors header length of 2^62 bytes"] = t =>
        {
            var d = BadInput.Bert(t["m"]);
            var p = Path.Combine(d, "model.safetensors");
            var b = File.ReadAllBytes(p);
            BitConverter.GetBytes(1L << 62).CopyTo(b, 0);
            File.WriteAllBytes(p, b);
            return Info(d, "corrupt safetensors header (declared header length 4611686018427387904");
        },
        ["safetensors header that is not JSON"] = t => Info(RawHeader(t, h => "#" + h[1..]), "corrupt safetensors header (invalid JSON"),
        ["safetensors header that is a JSON array"] = t => Info(RawHeader(t, h => "[" + new string(' ', h.Length - 2) + "]"), "corrupt safetensors header (not a JSON object)"),
        ["a tensor name twice in the header"] = t => Info(RawHeader(t, h => h[..^1] + $",\"{Bias}\":{{\"dtype\":\"F32\",\"shape\":[32],\"data_offsets\":[0,128]}}}}"), "a tensor name appears twice", Bias),
        ["two tensors over the same bytes"] = t => Info(EditHeader(t, h => h[Weight]!["data_offsets"] = new JsonArray(0, 128)), "share bytes"),
        ["a tensor range past the end of the file"] = t => Info(EditHeader(t, h => h[Bias]!["data_offsets"] = new JsonArray(100_000_000, 100_000_128)), "truncated", Bias),
        ["a negative data offset"] = t => Info(EditHeader(t, h => h[Bias]!["data_offsets"] = new JsonArray(-128, 0)), "byte range [-128,0] does not match F32[32]"),
        ["an unknown dtype (F8_E4M3)"] = t => Info(EditHeader(t, h => h[Bias]!["dtype"] = "F8_E4M3"), "unsupported dtype 'F8_E4M3'"),
        ["a shape of 2^62 x 4 elements"] = t => Info(EditHeader(t, h => { h[Bias]!["shape"] = new JsonArray(1L << 62, 4); h[Bias]!["data_offsets"] = new JsonArray(0, 0); }), "does not match F32[4611686018427387904, 4]"),
        ["a negative dimension"] = t => Info(EditHeader(t, h => h[Bias]!["shape"] = new JsonArray(-32)), "does not match F32[-32]"),
        ["a header entry without dtype"] = t => Info(EditHeader(t, h => h[Bias]!.AsObject().Remove("dtype")), "lacks dtype, shape or data_offsets"),
        ["a shard index naming a missing shard"] = t =>
        {
            var d = BadInput.Bert(t["m"]);
            File.Delete(Path.Combine(d, "model.safetensors"));
            File.WriteAllText(Path.Combine(d, "model.safetensors.index.json"), "{\"weight_map\": {\"" + Bias + "\": \"model-00001-of-00002.safetensors\"}}");
            return Info(d, "model-00001-of-00002.safetensors", "missing");
        },
        ["pytorch_model.bin that is not a checkpoint"] = t =>
        {
            var d = BadInput.Bert(t["m"]);
            File.Delete(Path.Combine(d, "model.safetensors"));
            File.WriteAllText(Path.Combine(d, "pytorch_model.bin"), "garbage");
            return Info(d, "pytorch_model.bin", "cannot read PyTorch state dict");
        },
        ["a tensor of another shape than config.json says"] = t => Info(BadInput.EditJson(BadInput.Bert(t["m"]), "config.json", c => c["intermediate_size"] = 40), "the model expects [40, 32]"),
        ["config.json cut in the middle"] = t => { var d = BadInput.Bert(t["m"]); File.WriteAllText(Path.Combine(d, "config.json"), "{\"hidden_size\": 32,"); return Info(d, "config.json", "invalid config"); },
        ["config.json of 0 bytes"] = t => { var d = BadInput.Bert(t["m"]); File.WriteAllText(Path.Combine(d, "config.json"), ""); return Info(d, "config.json", "invalid config"); },
        ["config.json that is a JSON array"] = t => { var d = BadInput.Bert(t["m"]); File.WriteAllText(Path.Combine(d, "config.json"), "[1]"); return Info(d, "config.json"); },
        ["hidden_size 32 with 5 attention heads"] = t => Info(BadInput.EditJson(BadInput.Bert(t["m"]), "config.json", c => c["num_attention_heads"] = 5), "'hidden_size' (32) is not a multiple of 'num_attention_heads' (5)"),
        ["num_hidden_layers -2"] = t => Info(BadInput.EditJson(BadInput.Bert(t["m"]), "config.json", c => c["num_hidden_layers"] = -2), "'num_hidden_layers' must be positive, got -2"),
        ["num_attention_heads 0"] = t => Info(BadInput.EditJson(BadInput.Bert(t["m"]), "config.json", c => c["num_attention_heads"] = 0), "'num_attention_heads' must be positive"),
        ["hidden_size \"abc\" (a string)"] = t => Info(BadInput.EditJson(BadInput.Bert(t["m"]), "config.json", c => c["hidden_size"] = "abc"), "at key 'hidden_size'"),
        ["model_type llama"] = t => Info(BadInput.EditJson(BadInput.Bert(t["m"]), "config.json", c => c["model_type"] = "llama"), "model_type 'llama' is not a model family", "supported"),
        ["hidden_act swiglu"] = t => Info(BadInput.EditJson(BadInput.Bert(t["m"]), "config.json", c => c["hidden_act"] = "swiglu"), "hidden_act", "swiglu"),
        ["vocab_size 120 for 99 embedding rows"] = t => Info(BadInput.EditJson(BadInput.Bert(t["m"]), "config.json", c => c["vocab_size"] = 120), "embeddings.word_embeddings.weight", "vocab_size"),
        ["no vocab.txt"] = t => { var d = BadInput.Bert(t["m"]); File.Delete(Path.Combine(d, "vocab.txt")); return Embed(d, "has no tokenizer files", "vocab.txt"); },
        ["an empty vocab.txt"] = t => { var d = BadInput.Bert(t["m"]); File.WriteAllText(Path.Combine(d, "vocab.txt"), ""); return Embed(d, "vocab.txt holds no tokens"); },
        ["vocab.txt without [UNK]"] = t =>
        {
            var d = BadInput.Bert(t["m"]);
            var p = Path.Combine(d, "vocab.txt");
            File.WriteAllLines(p, File.ReadAllLines(p).Select(l => l == "[UNK]" ? "[UNKNOWN]" : l));
            return Embed(d, "[UNK] is not in", "vocab.txt");
        },
        ["vocab.txt with a token twice"] = t =>
        {
            var d = BadInput.Bert(t["m"]);
            var p = Path.Combine(d, "vocab.txt");
            File.WriteAllLines(p, File.ReadAllLines(p).Select(l => l == "cat" ? "dog" : l));
            return Embed(d, "vocab.txt", "dog");
        },
        ["vocab.txt of 120 tokens for 99 rows"] = t => { var d = BadInput.Bert(t["m"]); TinyBert.WriteVocab(d, 120); return Embed(d, "vocab.txt", "120 tokens", "99 rows"); },
        ["tokenizer_config.json that is not JSON"] = t => { var d = BadInput.Bert(t["m"]); File.WriteAllText(Path.Combine(d, "tokenizer_config.json"), "{bad"); return Embed(d, "tokenizer_config.json is not valid JSON"); },
    };

    public static TheoryData<string> Names => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void IsOneClearError(string name) => BadInput.Check("model folder", name, Cases[name]);
}

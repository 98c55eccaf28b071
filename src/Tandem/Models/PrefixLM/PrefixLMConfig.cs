using System.Text.Json;
using System.Text.Json.Nodes;
using Tandem.Models.Bert;

namespace Tandem.Models.PrefixLM;

/// <summary>
/// The configuration of a <see cref="PrefixLMModel"/>. On disk it is a plain BERT <c>config.json</c>
/// (<c>"model_type": "bert"</c>, <c>"architectures": ["BertLMHeadModel"]</c>, <c>is_decoder</c> false) so that Python
/// transformers loads the weights as a <c>BertLMHeadModel</c>, plus a <c>"tandem"</c> block that marks the folder as a
/// prefix LM and holds the special ids:
/// <code>"tandem": { "prefix_lm": true, "decoder_start_token_id": 102, "eos_token_id": 102, "pad_token_id": 0 }</code>
/// </summary>
public sealed class PrefixLMConfig
{
    /// <summary>Name of the Tandem block in <c>config.json</c>.</summary>
    public const string BlockName = "tandem";

    /// <summary>The BERT architecture (<c>is_decoder</c> and <c>add_cross_attention</c> are always false: the
    /// prefix mask is given as a 3-D attention mask).</summary>
    public BertConfig Bert { get; }

    /// <summary>The token that stands for the source's last token at the start of every generated sequence
    /// (Tandem uses the [SEP] id, the token that really sits there). It is never fed to the model again.</summary>
    public int? DecoderStartTokenId { get; set; }

    /// <summary>End-of-target id (the [SEP] id).</summary>
    public int? EosTokenId { get; set; }

    /// <summary>Padding id of sources, labels and decoder inputs.</summary>
    public int? PadTokenId { get; set; }

    /// <summary>A prefix-LM config over <paramref name="bert"/> (cloned; decoder flags cleared).</summary>
    public PrefixLMConfig(BertConfig bert)
    {
        Bert = bert.Clone();
        Bert.IsDecoder = false;
        Bert.AddCrossAttention = false;
        Bert.Extra?.Remove(BlockName);
        PadTokenId = bert.PadTokenId;
    }

    /// <summary>Whether the folder's <c>config.json</c> carries the Tandem prefix-LM marker.</summary>
    public static bool IsPrefixLMFolder(string dir)
    {
        var path = Path.Combine(dir, "config.json");
        if (!File.Exists(path)) return false;
        try { return JsonNode.Parse(File.ReadAllText(path))?[BlockName]?["prefix_lm"]?.GetValue<bool>() == true; }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException) { return false; }
    }

    /// <summary>Reads and validates <c>config.json</c> of a prefix-LM folder.</summary>
    /// <exception cref="TandemException">Missing file, bad value, or no <c>"tandem": {"prefix_lm": true}</c> block.</exception>
    public static PrefixLMConfig Load(string dir)
    {
        var path = Path.Combine(dir, "config.json");
        var bert = BertConfig.Load(dir);
        if (bert.Extra is null || !bert.Extra.TryGetValue(BlockName, out var block) || block.ValueKind != JsonValueKind.Object
            || !block.TryGetProperty("prefix_lm", out var flag) || flag.ValueKind != JsonValueKind.True)
            throw new TandemException($"{path}: not a prefix-LM (UniLM) folder: it lacks \"{BlockName}\": {{\"prefix_lm\": true}}");
        if (bert.IsDecoder || bert.AddCrossAttention)
            throw new TandemException($"{path}: a prefix LM needs is_decoder=false and add_cross_attention=false (the prefix mask is 3-D)");
        return new PrefixLMConfig(bert)
        {
            DecoderStartTokenId = Id(block, "decoder_start_token_id", path),
            EosTokenId = Id(block, "eos_token_id", path),
            PadTokenId = Id(block, "pad_token_id", path) ?? bert.PadTokenId,
        };
    }

    static int? Id(JsonElement block, string key, string path)
    {
        if (!block.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int id) || id < 0)
            throw new TandemException($"{path}: '{BlockName}.{key}' must be a non-negative integer, got {v.GetRawText()}");
        return id;
    }

    /// <summary>Writes <c>config.json</c> (BERT config with <c>architectures: ["BertLMHeadModel"]</c> and the Tandem block).</summary>
    public void Save(string dir)
    {
        var bert = Bert.Clone();
        bert.Architectures = ["BertLMHeadModel"];
        bert.TorchDtype ??= "float32";
        var block = new JsonObject
        {
            ["prefix_lm"] = true,
            ["decoder_start_token_id"] = DecoderStartTokenId,
            ["eos_token_id"] = EosTokenId,
            ["pad_token_id"] = PadTokenId,
        };
        bert.Extra ??= [];
        bert.Extra[BlockName] = JsonSerializer.SerializeToElement(block);
        bert.Save(dir);
    }

    /// <summary>The ids training and generation need; a clear error when one is unset.</summary>
    public (int Start, int Pad) RequireSpecialIds()
    {
        if (DecoderStartTokenId is not { } start)
            throw new TandemException("decoder_start_token_id is not set in the prefix-LM config (Tandem uses the [SEP] id); set it before training or generating");
        if (PadTokenId is not { } pad)
            throw new TandemException("pad_token_id is not set in the prefix-LM config (BERT uses the [PAD] id 0); set it before training or generating");
        return (start, pad);
    }
}

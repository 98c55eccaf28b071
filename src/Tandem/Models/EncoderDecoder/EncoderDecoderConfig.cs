using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Tandem.Modeling;
using Tandem.Models.Bert;

namespace Tandem.Models.EncoderDecoder;

/// <summary>
/// The configuration of an encoder-decoder model as transformers' <c>EncoderDecoderConfig</c> writes it:
/// <c>model_type: "encoder-decoder"</c>, nested <c>encoder</c> and <c>decoder</c> configs of any registered family
/// (<see cref="ModelFamilies"/>, chosen by each one's <c>model_type</c>), and the special ids generation and the loss
/// need. Unknown keys are kept and written back.
/// </summary>
public sealed class EncoderDecoderConfig
{
    /// <summary>Always "encoder-decoder".</summary>
    [JsonPropertyName("model_type")] public string ModelType { get; set; } = "encoder-decoder";
    /// <summary>Always true.</summary>
    [JsonPropertyName("is_encoder_decoder")] public bool IsEncoderDecoder { get; set; } = true;
    /// <summary><c>["EncoderDecoderModel"]</c>.</summary>
    [JsonPropertyName("architectures")] public List<string>? Architectures { get; set; } = ["EncoderDecoderModel"];
    /// <summary>The encoder's configuration.</summary>
    [JsonPropertyName("encoder"), JsonConverter(typeof(ModelConfigConverter))]
    public IModelConfig Encoder { get; set; } = new BertConfig();
    /// <summary>The decoder's configuration (<c>is_decoder</c> and <c>add_cross_attention</c> set).</summary>
    [JsonPropertyName("decoder"), JsonConverter(typeof(ModelConfigConverter))]
    public IModelConfig Decoder { get; set; } = new BertConfig { IsDecoder = true, AddCrossAttention = true };
    /// <summary>First token of every decoder input (BERT2BERT uses [CLS]).</summary>
    [JsonPropertyName("decoder_start_token_id")] public int? DecoderStartTokenId { get; set; }
    /// <summary>Padding id of the labels/decoder inputs.</summary>
    [JsonPropertyName("pad_token_id")] public int? PadTokenId { get; set; }
    /// <summary>End-of-sequence id (BERT2BERT uses [SEP]).</summary>
    [JsonPropertyName("eos_token_id")] public int? EosTokenId { get; set; }
    /// <summary>BERTShare: encoder and decoder share every weight they have in common.</summary>
    [JsonPropertyName("tie_encoder_decoder")] public bool TieEncoderDecoder { get; set; }
    /// <summary>The dtype the weights were saved in.</summary>
    [JsonPropertyName("torch_dtype")] public string? TorchDtype { get; set; } = "float32";
    /// <summary>Every other key of <c>config.json</c>.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>Whether a folder's <c>config.json</c> describes an encoder-decoder model.</summary>
    public static bool IsEncoderDecoderFolder(string dir)
    {
        var path = Path.Combine(dir, "config.json");
        if (!File.Exists(path)) return false;
        try { return JsonNode.Parse(File.ReadAllText(path))?["model_type"]?.GetValue<string>() == "encoder-decoder"; }
        catch (JsonException) { return false; }
    }

    /// <summary>Reads and validates <c>config.json</c> of a folder (or the file itself).</summary>
    public static EncoderDecoderConfig Load(string dirOrFile)
    {
        var path = Directory.Exists(dirOrFile) ? Path.Combine(dirOrFile, "config.json") : dirOrFile;
        if (!File.Exists(path)) throw new TandemException($"{path}: not found (a checkpoint folder needs config.json)");
        EncoderDecoderConfig? config;
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new TandemException($"{path}: not a JSON object");
            if (root["model_type"]?.GetValue<string>() is { } type && type != "encoder-decoder")
                throw new TandemException($"{path}: 'model_type' is '{type}', expected 'encoder-decoder'");
            var halves = new Dictionary<string, IModelConfig>();
            foreach (var side in new[] { "encoder", "decoder" })
            {
                if (root[side] is not JsonObject half) throw new TandemException($"{path}: '{side}' is missing or not an object");
                halves[side] = ModelFamilies.ParseConfig(half.ToJsonString(), $"{path} ({side})");
                root.Remove(side);
            }
            config = root.Deserialize<EncoderDecoderConfig>(BertConfig.Json);
            if (config is null) throw new TandemException($"{path}: empty config");
            config.Encoder = halves["encoder"];
            config.Decoder = halves["decoder"];
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            var where = e is JsonException { Path: { Length: > 2 } p } ? $" at '{p.TrimStart('$', '.')}'" : "";
            throw new TandemException($"{path}: invalid config{where}: {e.Message.Split('\n')[0].Split(" Path:")[0]}", e);
        }
        return config;
    }

    /// <summary>Writes <c>config.json</c> into <paramref name="dir"/>.</summary>
    public void Save(string dir)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.json"), JsonSerializer.Serialize(this, BertConfig.Json) + "\n");
    }

    /// <summary>The ids the loss and generation need; a clear error when one is unset (the classic cause of models
    /// that emit one token forever).</summary>
    public (int Start, int Pad) RequireSpecialIds()
    {
        if (DecoderStartTokenId is not { } start)
            throw new TandemException("decoder_start_token_id is not set in the encoder-decoder config (BERT2BERT uses the [CLS] id, RoBERTa <s>); set it before training or generating");
        if (PadTokenId is not { } pad)
            throw new TandemException("pad_token_id is not set in the encoder-decoder config (BERT uses the [PAD] id 0, RoBERTa <pad> 1); set it before training or generating");
        return (start, pad);
    }
}

/// <summary>Writes a half's config as its own class writes it; reads one of any registered family by its <c>model_type</c>.</summary>
internal sealed class ModelConfigConverter : JsonConverter<IModelConfig>
{
    public override IModelConfig Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        return ModelFamilies.ParseConfig(doc.RootElement.GetRawText(), "encoder-decoder config");
    }

    public override void Write(Utf8JsonWriter writer, IModelConfig value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, value.GetType(), options);
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Tandem.Models.EncoderDecoder;
using Tandem.Models.PrefixLM;

namespace Tandem.Modeling;

/// <summary>Loads any seq2seq checkpoint folder Tandem knows, choosing the architecture from <c>config.json</c>.</summary>
public static class Seq2SeqModels
{
    /// <summary>Whether <paramref name="dir"/> holds a seq2seq model this class can load.</summary>
    public static bool IsSeq2SeqFolder(string dir) =>
        ModelType(dir) is "encoder-decoder" || PrefixLMConfig.IsPrefixLMFolder(dir);

    static string? ModelType(string dir)
    {
        var configPath = Path.Combine(dir, "config.json");
        if (!File.Exists(configPath)) return null;
        JsonNode? config;
        try { config = JsonNode.Parse(File.ReadAllText(configPath)); }
        catch (JsonException e) { throw new TandemException($"{configPath}: invalid JSON ({e.Message.Split('\n')[0]})", e); }
        if (config is not JsonObject keys) throw new TandemException($"{configPath}: the config must be a JSON object of keys");
        return keys["model_type"] is JsonValue v && v.TryGetValue<string>(out var type) ? type : null;
    }

    /// <summary>Loads the model in <paramref name="dir"/>: <c>model_type</c> "encoder-decoder" gives an
    /// <see cref="EncoderDecoderModel"/>; "bert" with the <c>"tandem": {"prefix_lm": true}</c> block gives a
    /// <see cref="PrefixLMModel"/> (UniLM).</summary>
    public static ISeq2SeqModel FromPretrained(string dir)
    {
        var configPath = Path.Combine(dir, "config.json");
        if (!Directory.Exists(dir)) throw new TandemException($"{dir}: model folder not found");
        if (!File.Exists(configPath)) throw new TandemException($"{configPath}: not found (a model folder needs config.json)");
        _ = TorchSharp.torch.get_num_threads();             // loads libtorch here, so TANDEM_TIMING tells it from the model
        Diagnostics.PhaseTiming.Mark("libtorch loaded");
        return ModelType(dir) switch
        {
            "encoder-decoder" => EncoderDecoderModel.FromPretrained(dir),
            "bert" when PrefixLMConfig.IsPrefixLMFolder(dir) => PrefixLMModel.FromPretrained(dir),
            var type when Models.ModelFamilies.Find(type) is { } family => throw new TandemException(
                $"{configPath}: a plain {family.Name} checkpoint, not a seq2seq model: warm-start an encoder-decoder from it " +
                "first (tandem init)" + (type == "bert" ? " or a prefix LM (tandem init --unilm)" : "")),
            var type => throw new TandemException($"{configPath}: model_type '{type}' is not a seq2seq model Tandem can load (expected \"encoder-decoder\", or \"bert\" with a \"tandem\": {{\"prefix_lm\": true}} block; model families: {Models.ModelFamilies.Supported})"),
        };
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Tandem.Checkpoints;
using Tandem.Modeling;
using Tandem.Models.Bert;
using Tandem.Models.Gpt2;
using Tandem.Models.Roberta;

namespace Tandem.Models;

/// <summary>
/// The registry of model families an encoder-decoder can be built from, keyed by <c>model_type</c>. Adding a
/// family is its folder plus one line in <see cref="All"/>.
/// </summary>
public static class ModelFamilies
{
    /// <summary>Every registered family.</summary>
    public static IReadOnlyList<ModelFamily> All { get; } =
    [
        BertFamily.Definition,
        RobertaFamily.Definition,
        Gpt2Family.Definition,
    ];

    /// <summary>The supported <c>model_type</c> values, for messages.</summary>
    public static string Supported => string.Join(", ", All.SelectMany(f => f.ModelTypes).Select(t => $"\"{t}\""));

    /// <summary>The family of <paramref name="modelType"/>, or null.</summary>
    public static ModelFamily? Find(string? modelType) => modelType is null ? null : All.FirstOrDefault(f => f.Reads(modelType));

    /// <summary>The family of <paramref name="modelType"/>; one clear error naming the supported families otherwise.</summary>
    public static ModelFamily For(string? modelType, string source) => Find(modelType)
        ?? throw new TandemException($"{source}: model_type '{modelType ?? "(none)"}' is not a model family Tandem can build " +
                                     $"(supported: {Supported})");

    /// <summary>The family of a config Tandem read.</summary>
    public static ModelFamily Of(IModelConfig config) => For(config.ModelType, "config");

    /// <summary>Parses a config of any registered family from JSON text.</summary>
    public static IModelConfig ParseConfig(string json, string source)
    {
        string? type;
        try { type = JsonNode.Parse(json)?["model_type"]?.GetValue<string>(); }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new TandemException($"{source}: invalid config: {e.Message.Split('\n')[0]}", e);
        }
        return For(type, source).ParseConfig(json, source);
    }

    /// <summary>Reads <c>config.json</c> of a folder (or the file itself) of any registered family.</summary>
    public static IModelConfig LoadConfig(string dirOrFile)
    {
        var path = Directory.Exists(dirOrFile) ? Path.Combine(dirOrFile, "config.json") : dirOrFile;
        if (!File.Exists(path)) throw new TandemException($"{path}: not found (a checkpoint folder needs config.json)");
        return ParseConfig(File.ReadAllText(path), path);
    }

    /// <summary>The encoder of a checkpoint folder of any family with an encoder, loaded strictly (its pooler may be
    /// new, unless <paramref name="exact"/>: then every weight must be there and used, so the encoder is built without
    /// random initialisation, as <c>FromPretrained</c> builds models); <paramref name="report"/> receives what was
    /// loaded and what was initialised anew.</summary>
    public static ITextEncoder LoadEncoder(string dir, LoadReport? report = null, bool exact = false)
    {
        var config = LoadConfig(dir);
        config.IsDecoder = false;
        config.AddCrossAttention = false;
        var family = Of(config);
        if (family.CreateEncoder is null || family.EncoderLoading is null)
            throw new TandemException($"{dir}: a {family.Name} checkpoint cannot be an encoder");
        ITextEncoder encoder;
        if (exact)
        {
            ITextEncoder? built = null;
            Initialization.BuildForStrictLoad(() => (built = family.CreateEncoder(config)).Module);   // every weight is loaded next
            encoder = built!;
        }
        else encoder = family.CreateEncoder(config);
        try
        {
            var loaded = family.EncoderLoading.Load(encoder.Module, dir, family.Name);
            if (exact) loaded.ThrowIfIncomplete(dir);
            report?.Merge(loaded);
        }
        catch
        {
            encoder.Module.Dispose();
            throw;
        }
        return encoder;
    }

    /// <summary>The causal decoder of a checkpoint folder of any family, with <c>is_decoder</c> set and, with
    /// <paramref name="crossAttention"/>, cross-attention (listed in <paramref name="report"/> as newly initialised
    /// when the checkpoint has none).</summary>
    public static ICausalDecoder LoadDecoder(string dir, bool crossAttention, LoadReport? report = null)
    {
        var config = LoadConfig(dir);
        config.IsDecoder = true;
        config.AddCrossAttention = crossAttention;
        var family = Of(config);
        var decoder = family.CreateDecoder(config);
        try
        {
            var loaded = family.DecoderLoading.Load(decoder.Module, dir, family.Name);
            report?.Merge(loaded);
        }
        catch
        {
            decoder.Module.Dispose();
            throw;
        }
        return decoder;
    }
}

using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Tandem.Training;

/// <summary>Loads, overrides, checks and writes <see cref="TrainConfig"/>. Every error names the key path.</summary>
public static class TrainConfigLoader
{
    static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>Reads <paramref name="path"/> (<c>.json</c>, <c>.yaml</c> or <c>.yml</c>), applies
    /// <paramref name="overrides"/> (<c>optimizer.lr=3e-5</c>) and validates the result.</summary>
    public static TrainConfig Load(string path, IEnumerable<string>? overrides = null)
    {
        var root = ConfigDocument.Read(path);
        return FromTree(root, overrides, path);
    }

    /// <summary>Reads a pre-training config as <see cref="Load"/> does; <c>objective.type</c> is <c>mlm</c> unless
    /// the file or <paramref name="overrides"/> say <c>clm</c>.</summary>
    /// <exception cref="TandemException">The config is bad, or its objective is not pre-training.</exception>
    public static TrainConfig LoadPretraining(string path, IEnumerable<string>? overrides = null)
    {
        var root = ConfigDocument.Read(path);
        if (!ConfigDocument.Has(root, "objective.type")) ConfigDocument.Override(root, $"objective.type={ObjectiveSection.MaskedLM}");
        foreach (var o in overrides ?? []) ConfigDocument.Override(root, o);
        var type = (root["objective"] as JsonObject)?["type"]?.ToString();
        if (type is not (ObjectiveSection.MaskedLM or ObjectiveSection.CausalLM))
            throw new TandemException($"objective.type: pre-training is mlm or clm (got '{type}'; seq2seq training is tandem train)");
        return FromTree(root, null, path);
    }

    /// <summary>Parses config JSON text (with overrides) and validates it.</summary>
    public static TrainConfig Parse(string json, IEnumerable<string>? overrides = null, string source = "config")
    {
        var root = JsonNode.Parse(json) as JsonObject ?? throw new TandemException($"{source}: the config must be a JSON object");
        return FromTree(root, overrides, source);
    }

    static TrainConfig FromTree(JsonObject root, IEnumerable<string>? overrides, string source)
    {
        foreach (var o in overrides ?? []) ConfigDocument.Override(root, o);
        CheckKeys(root, typeof(TrainConfig), "");
        TrainConfig? config;
        try { config = root.Deserialize<TrainConfig>(Options); }
        catch (JsonException e)
        {
            var key = e.Path?.TrimStart('$', '.') ?? "?";
            throw new TandemException($"{key}: {Describe(e)} (in {source})", e);
        }
        config ??= new TrainConfig();
        TrainConfigValidator.Validate(config);
        return config;
    }

    static string Describe(JsonException e)
    {
        var m = e.Message.Split('\n')[0].Split(" Path:")[0];
        return m.Contains("could not be converted to", StringComparison.Ordinal)
            ? "wrong type: expected " + m[(m.LastIndexOf(" to ", StringComparison.Ordinal) + 4)..].TrimEnd('.').Replace("System.", "")
            : m;
    }

    /// <summary>Unknown keys are errors: a misspelt option must not be silently ignored.</summary>
    static void CheckKeys(JsonObject obj, Type type, string prefix)
    {
        var props = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Prop: p, Name: p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name))
            .Where(p => p.Name is not null).ToDictionary(p => p.Name!, p => p.Prop);
        foreach (var (key, value) in obj)
        {
            var path = prefix + key;
            if (!props.TryGetValue(key, out var prop))
                throw new TandemException($"{path}: unknown key (known keys{(prefix.Length > 0 ? " of " + prefix.TrimEnd('.') : "")}: {string.Join(", ", props.Keys)})");
            var t = prop.PropertyType;
            bool isSection = t.IsClass && t != typeof(string) && !t.IsGenericType;
            if (isSection)
            {
                if (value is not JsonObject child) throw new TandemException($"{path}: must be a section (an object of keys)");
                CheckKeys(child, t, path + ".");
            }
        }
    }

    /// <summary>The config as JSON (what <c>config.resolved.json</c> holds).</summary>
    public static string ToJson(TrainConfig config) => JsonSerializer.Serialize(config, Options);

    /// <summary>Writes <c>config.resolved.json</c> into <paramref name="dir"/>.</summary>
    public static void Save(TrainConfig config, string dir)
    {
        Directory.CreateDirectory(dir);
        AtomicFile.WriteAllText(Path.Combine(dir, "config.resolved.json"), ToJson(config) + "\n");
    }
}

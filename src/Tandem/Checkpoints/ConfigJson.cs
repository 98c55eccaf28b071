using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Tandem.Checkpoints;

/// <summary>Reading and writing a model family's <c>config.json</c> the way transformers does: indented, every
/// declared field written, unknown keys kept by the family's extension data; errors name the file and key.</summary>
internal static class ConfigJson
{
    /// <summary>The serializer options every family config uses.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        TypeInfoResolver = Resolver,
    };

    /// <summary>The generated code of <see cref="ConfigJsonContext"/> first, reflection for other types.</summary>
    public static IJsonTypeInfoResolver Resolver => JsonTypeInfoResolver.Combine(ConfigJsonContext.Default, new DefaultJsonTypeInfoResolver());

    /// <summary>The path of <c>config.json</c> in <paramref name="dirOrFile"/> (or the file itself), which must exist.</summary>
    public static string PathOf(string dirOrFile)
    {
        var path = Directory.Exists(dirOrFile) ? Path.Combine(dirOrFile, "config.json") : dirOrFile;
        if (!File.Exists(path))
            throw new TandemException($"{path}: not found (a checkpoint folder needs config.json)");
        return path;
    }

    /// <summary>Deserialises <paramref name="json"/>; <paramref name="source"/> names it in errors.</summary>
    public static T Parse<T>(string json, string source) where T : class
    {
        T? config;
        try { config = JsonSerializer.Deserialize<T>(json, Options); }
        catch (JsonException e)
        {
            var where = e.Path is { Length: > 2 } p ? $" at key '{p.TrimStart('$', '.')}'" : "";
            throw new TandemException($"{source}: invalid config{where}: {e.Message.Split('\n')[0].Split(" Path:")[0]}", e);
        }
        return config ?? throw new TandemException($"{source}: empty config");
    }

    /// <summary>Writes <paramref name="config"/> as <c>config.json</c> into <paramref name="dir"/>.</summary>
    public static void Save(object config, string dir)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.json"), JsonSerializer.Serialize(config, config.GetType(), Options) + "\n");
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Tandem.Training;

/// <summary>Reads a JSON or YAML config file into a JSON tree and applies <c>a.b=c</c> overrides to it.</summary>
internal static class ConfigDocument
{
    public static JsonObject Read(string path)
    {
        if (!File.Exists(path)) throw new TandemException($"{path}: config file not found");
        var text = File.ReadAllText(path);
        var ext = Path.GetExtension(path).ToLowerInvariant();
        JsonNode? node;
        if (ext is ".yaml" or ".yml")
        {
            var stream = new YamlStream();
            try { stream.Load(new StringReader(text)); }
            catch (YamlException e) { throw new TandemException($"{path}:{e.Start.Line}: invalid YAML ({e.Message})", e); }
            node = stream.Documents.Count == 0 ? new JsonObject() : FromYaml(stream.Documents[0].RootNode);
        }
        else
        {
            try { node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
            catch (JsonException e) { throw new TandemException($"{path}:{e.LineNumber + 1}: invalid JSON ({e.Message.Split('\n')[0].Split(" Path:")[0]})", e); }
        }
        return node as JsonObject ?? throw new TandemException($"{path}: the config must be an object of sections (model, data, optimizer, ...)");
    }

    static JsonNode? FromYaml(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", FromYaml(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(FromYaml).ToArray()),
        YamlScalarNode s when s.Style is ScalarStyle.Plain => Scalar(s.Value ?? ""),
        YamlScalarNode s => JsonValue.Create(s.Value ?? ""),
        _ => null,
    };

    /// <summary>A plain scalar: null, a boolean, a number, or else a string.</summary>
    public static JsonNode? Scalar(string v)
    {
        if (v is "" or "~" or "null" or "Null" or "NULL") return null;
        if (v is "true" or "True" or "TRUE") return JsonValue.Create(true);
        if (v is "false" or "False" or "FALSE") return JsonValue.Create(false);
        if (long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return JsonValue.Create(d);
        return JsonValue.Create(v);
    }

    /// <summary>Applies <c>section.key=value</c>; the value is read as JSON when it parses, else as a YAML-like scalar.</summary>
    public static void Override(JsonObject root, string assignment)
    {
        int eq = assignment.IndexOf('=');
        if (eq <= 0) throw new TandemException($"--set {assignment}: expected KEY.PATH=VALUE");
        var path = assignment[..eq].Trim();
        var text = assignment[(eq + 1)..];
        JsonNode? value;
        try { value = text.Length > 0 && (text[0] is '[' or '{' or '"') ? JsonNode.Parse(text) : Scalar(text); }
        catch (JsonException) { value = JsonValue.Create(text); }
        var parts = path.Split('.');
        var obj = root;
        for (int i = 0; i < parts.Length - 1; i++)
        {
            if (obj[parts[i]] is not JsonObject child)
            {
                if (obj[parts[i]] is not null) throw new TandemException($"{string.Join('.', parts[..(i + 1)])}: is a value, not a section (in --set {assignment})");
                child = new JsonObject();
                obj[parts[i]] = child;
            }
            obj = child;
        }
        obj[parts[^1]] = value;
    }

    /// <summary>Whether <paramref name="path"/> (<c>section.key</c>) is set in <paramref name="root"/>.</summary>
    public static bool Has(JsonObject root, string path)
    {
        JsonNode? node = root;
        foreach (var part in path.Split('.'))
            if (node is not JsonObject obj || !obj.TryGetPropertyValue(part, out node)) return false;
        return true;
    }
}

using System.Text.Json;

namespace Tandem.Tokenization;

/// <summary>
/// One component object of a <c>tokenizer.json</c> (a normalizer, pre-tokenizer, model, post-processor or decoder):
/// its <c>type</c> and typed reads of its fields, every failure one <see cref="TandemException"/> naming the file,
/// the section and the field.
/// </summary>
internal readonly record struct JsonComponent(JsonElement Element, string Section, string File)
{
    /// <summary>The component's <c>type</c>.</summary>
    public string Type => Element.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
        ? t.GetString()! : throw Error("has no \"type\"");

    /// <summary>A nested object of the same section (e.g. a member of a <c>Sequence</c>).</summary>
    public JsonComponent Child(JsonElement e) => new(e, Section, File);

    public string? String(string key) =>
        Element.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public bool? Bool(string key) => PretrainedFiles.Bool(Element, key);

    public int? Int(string key) =>
        Element.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : null;

    public bool IsNull(string key) => !Element.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null;

    public JsonElement Array(string key) =>
        Element.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Array ? v : throw Error($"has no \"{key}\" list");

    public JsonElement Object(string key) =>
        Element.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Object ? v : throw Error($"has no \"{key}\" object");

    /// <summary>The error for a type Tandem does not read, naming the supported ones.</summary>
    public TandemException Unsupported(string supported) =>
        new($"{File}: {Section} type \"{Type}\" is not supported (Tandem reads {supported})");

    public TandemException Error(string what) => new($"{File}: {Section} {what}");
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tandem.Generation;

/// <summary>Beam search's stopping rule, transformers' <c>early_stopping</c> (JSON <c>true</c>, <c>false</c> or
/// <c>"never"</c>).</summary>
[JsonConverter(typeof(EarlyStoppingJsonConverter))]
public enum EarlyStopping
{
    /// <summary>JSON <c>false</c>: a heuristic; an input stops once it holds <c>num_beams</c> finished hypotheses
    /// and the best running beam, normalised by the current length, cannot beat the worst of them.</summary>
    False = 0,

    /// <summary>JSON <c>true</c>: an input stops as soon as it holds <c>num_beams</c> finished hypotheses.</summary>
    True = 1,

    /// <summary>JSON <c>"never"</c>: the canonical rule; stop only when no better hypothesis is possible
    /// (with a positive length penalty the bound uses <c>max_length</c>).</summary>
    Never = 2,
}

/// <summary>Reads <c>true</c>, <c>false</c> or <c>"never"</c>; writes the same.</summary>
internal sealed class EarlyStoppingJsonConverter : JsonConverter<EarlyStopping>
{
    public override EarlyStopping Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.True => EarlyStopping.True,
            JsonTokenType.False => EarlyStopping.False,
            JsonTokenType.String when reader.GetString() == "never" => EarlyStopping.Never,
            _ => throw new TandemException(
                $"early_stopping must be true, false or \"never\" (got {JsonElementText(ref reader)})."),
        };

    public override void Write(Utf8JsonWriter writer, EarlyStopping value, JsonSerializerOptions options)
    {
        if (value == EarlyStopping.Never) writer.WriteStringValue("never");
        else writer.WriteBooleanValue(value == EarlyStopping.True);
    }

    private static string JsonElementText(ref Utf8JsonReader reader) =>
        JsonDocument.ParseValue(ref reader).RootElement.GetRawText();
}

/// <summary>Reads a token id list written either as one integer or as a JSON array (transformers'
/// <c>eos_token_id</c>, <c>forced_eos_token_id</c>); writes one integer when the list has one element.</summary>
internal sealed class IntOrIntListJsonConverter : JsonConverter<IReadOnlyList<int>>
{
    public override IReadOnlyList<int>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType == JsonTokenType.Number) return [reader.GetInt32()];
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new TandemException("A token id option must be an integer or a list of integers.");
        var ids = new List<int>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number)
                throw new TandemException("A token id list must hold integers only.");
            ids.Add(reader.GetInt32());
        }
        return ids;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<int> value, JsonSerializerOptions options)
    {
        if (value.Count == 1) { writer.WriteNumberValue(value[0]); return; }
        writer.WriteStartArray();
        foreach (var id in value) writer.WriteNumberValue(id);
        writer.WriteEndArray();
    }
}

using System.Text.Json;

namespace Tandem.Tokenization;

/// <summary>
/// Reads and writes the JSON files of a Hugging Face tokenizer folder: <c>tokenizer_config.json</c> and
/// <c>special_tokens_map.json</c>. Entries of the special-tokens map win over the config, as in transformers.
/// </summary>
internal static class PretrainedFiles
{
    public const string VocabFile = "vocab.txt";
    public const string ConfigFile = "tokenizer_config.json";
    public const string SpecialTokensFile = "special_tokens_map.json";
    public const string TokenizerJsonFile = "tokenizer.json";
    public const string BpeVocabFile = "vocab.json";
    public const string MergesFile = "merges.txt";
    public const string AddedTokensFile = "added_tokens.json";

    /// <summary>Every file a Hugging Face tokenizer folder may hold (of the families Tandem reads).</summary>
    public static readonly string[] AllFiles =
        [TokenizerJsonFile, VocabFile, BpeVocabFile, MergesFile, ConfigFile, SpecialTokensFile, AddedTokensFile];

    /// <summary>The bytes of every tokenizer file present in <paramref name="dir"/>, by name.</summary>
    public static Dictionary<string, byte[]> ReadAll(string dir) =>
        AllFiles.Where(f => File.Exists(Path.Combine(dir, f))).ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(dir, f)));

    public static TokenizerOptions ReadOptions(string dir)
    {
        var options = new TokenizerOptions();
        using (var config = Load(Path.Combine(dir, ConfigFile)))
        {
            if (config is { RootElement: var c })
            {
                options = options with
                {
                    DoLowerCase = Bool(c, "do_lower_case") ?? options.DoLowerCase,
                    StripAccents = Bool(c, "strip_accents"),
                    TokenizeChineseChars = Bool(c, "tokenize_chinese_chars") ?? options.TokenizeChineseChars,
                    ModelMaxLength = MaxLength(c),
                };
                options = WithTokens(options, c);
            }
        }
        using (var map = Load(Path.Combine(dir, SpecialTokensFile)))
        {
            if (map is { RootElement: var m })
                options = WithTokens(options, m);
        }
        return options;
    }

    public static void WriteConfig(string path, WordPieceTokenizer t)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("tokenizer_class", "BertTokenizer");
        w.WriteBoolean("do_lower_case", t.DoLowerCase);
        if (t.StripAccents is bool strip)
            w.WriteBoolean("strip_accents", strip);
        else
            w.WriteNull("strip_accents");
        w.WriteBoolean("tokenize_chinese_chars", t.TokenizeChineseChars);
        w.WriteBoolean("do_basic_tokenize", true);
        w.WriteNull("never_split");
        WriteTokens(w, t);
        if (t.ModelMaxLength is int max)
            w.WriteNumber("model_max_length", max);
        w.WriteBoolean("clean_up_tokenization_spaces", true);
        w.WriteEndObject();
    }

    public static void WriteSpecialTokensMap(string path, WordPieceTokenizer t)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        WriteTokens(w, t);
        w.WriteEndObject();
    }

    private static void WriteTokens(Utf8JsonWriter w, WordPieceTokenizer t)
    {
        w.WriteString("cls_token", t.ClsToken);
        w.WriteString("mask_token", t.MaskToken);
        w.WriteString("pad_token", t.PadToken);
        w.WriteString("sep_token", t.SepToken);
        w.WriteString("unk_token", t.UnkToken);
    }

    public static JsonDocument? Load(string path)
    {
        if (!File.Exists(path))
            return null;
        try
        {
            var doc = JsonDocument.Parse(File.ReadAllText(path));
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
                return doc;
            doc.Dispose();
            throw new TandemException($"{path} is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new TandemException($"{path} is not valid JSON: {e.Message}", e);
        }
    }

    private static TokenizerOptions WithTokens(TokenizerOptions o, JsonElement e) => o with
    {
        ClsToken = Token(e, "cls_token") ?? o.ClsToken,
        SepToken = Token(e, "sep_token") ?? o.SepToken,
        PadToken = Token(e, "pad_token") ?? o.PadToken,
        UnkToken = Token(e, "unk_token") ?? o.UnkToken,
        MaskToken = Token(e, "mask_token") ?? o.MaskToken,
    };

    public static bool? Bool(JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? v.GetBoolean() : null;

    // A special token is a string or, when saved as an AddedToken, an object with "content".
    public static string? Token(JsonElement e, string key)
    {
        if (!e.TryGetProperty(key, out var v))
            return null;
        if (v.ValueKind == JsonValueKind.String)
            return v.GetString();
        return v.ValueKind == JsonValueKind.Object && v.TryGetProperty("content", out var c)
            && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
    }

    // transformers writes a huge number (1e30) when a tokenizer has no limit: read it as none.
    public static int? MaxLength(JsonElement e) =>
        e.TryGetProperty("model_max_length", out var v) && v.ValueKind == JsonValueKind.Number
        && v.TryGetDouble(out double d) && d >= 1 && d <= int.MaxValue ? (int)d : null;
}

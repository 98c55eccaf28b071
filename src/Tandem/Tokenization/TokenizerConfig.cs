using System.Text.Json;

namespace Tandem.Tokenization;

/// <summary>
/// The settings of <c>tokenizer_config.json</c> and <c>special_tokens_map.json</c> that any tokenizer family reads
/// (the map wins over the config, as in transformers). Missing files or keys take transformers' defaults.
/// </summary>
internal sealed record TokenizerConfig
{
    /// <summary>The special-token keys of transformers, in its order.</summary>
    public static readonly string[] SpecialKeys = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"];

    /// <summary><c>tokenizer_class</c>, e.g. <c>RobertaTokenizer</c>; null when absent.</summary>
    public string? TokenizerClass { get; init; }

    /// <summary>The special tokens by key (<c>bos_token</c> …), those that are set.</summary>
    public IReadOnlyDictionary<string, string> SpecialTokens { get; init; } = new Dictionary<string, string>();

    /// <summary>Entries of <c>added_tokens_decoder</c>.</summary>
    public IReadOnlyList<AddedToken> AddedTokens { get; init; } = [];

    /// <summary><c>model_max_length</c>; null for none.</summary>
    public int? ModelMaxLength { get; init; }

    /// <summary><c>clean_up_tokenization_spaces</c> (default true in transformers 4.40).</summary>
    public bool CleanUpTokenizationSpaces { get; init; } = true;

    /// <summary><c>add_prefix_space</c> of byte-level BPE tokenizers (default false).</summary>
    public bool AddPrefixSpace { get; init; }

    /// <summary><c>add_bos_token</c> of GPT-2 tokenizers (default false).</summary>
    public bool AddBosToken { get; init; }

    /// <summary>Reads the two files of <paramref name="dir"/>.</summary>
    /// <exception cref="TandemException">A file is not a JSON object.</exception>
    public static TokenizerConfig Read(string dir)
    {
        var config = new TokenizerConfig();
        var tokens = new Dictionary<string, string>();
        using (var doc = PretrainedFiles.Load(Path.Combine(dir, PretrainedFiles.ConfigFile)))
        {
            if (doc is { RootElement: var c })
            {
                config = config with
                {
                    TokenizerClass = c.TryGetProperty("tokenizer_class", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null,
                    AddedTokens = ReadAddedTokens(c, Path.Combine(dir, PretrainedFiles.ConfigFile)),
                    ModelMaxLength = PretrainedFiles.MaxLength(c),
                    CleanUpTokenizationSpaces = PretrainedFiles.Bool(c, "clean_up_tokenization_spaces") ?? true,
                    AddPrefixSpace = PretrainedFiles.Bool(c, "add_prefix_space") ?? false,
                    AddBosToken = PretrainedFiles.Bool(c, "add_bos_token") ?? false,
                };
                ReadTokens(c, tokens);
            }
        }
        using (var doc = PretrainedFiles.Load(Path.Combine(dir, PretrainedFiles.SpecialTokensFile)))
        {
            if (doc is { RootElement: var m })
                ReadTokens(m, tokens);
        }
        return config with { SpecialTokens = tokens };
    }

    /// <summary>The token set for <paramref name="key"/> (e.g. <c>pad_token</c>), or null.</summary>
    public string? Token(string key) => SpecialTokens.TryGetValue(key, out var t) ? t : null;

    private static void ReadTokens(JsonElement e, Dictionary<string, string> into)
    {
        foreach (var key in SpecialKeys)
        {
            if (PretrainedFiles.Token(e, key) is string t)
                into[key] = t;
            else if (e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Null)
                into.Remove(key);
        }
    }

    // "added_tokens_decoder": { "50256": { "content": "<|endoftext|>", "lstrip": false, ..., "special": true } }
    private static List<AddedToken> ReadAddedTokens(JsonElement c, string path)
    {
        var list = new List<AddedToken>();
        if (!c.TryGetProperty("added_tokens_decoder", out var d) || d.ValueKind != JsonValueKind.Object)
            return list;
        foreach (var entry in d.EnumerateObject())
        {
            if (!int.TryParse(entry.Name, out int id) || entry.Value.ValueKind != JsonValueKind.Object
                || PretrainedFiles.Token(entry.Value, "content") is not string content)
                throw new TandemException($"{path}: added_tokens_decoder entry \"{entry.Name}\" needs an integer id and a content string");
            list.Add(FromJson(entry.Value, content, id));
        }
        return list;
    }

    /// <summary>An added token from its JSON object (<c>added_tokens_decoder</c> or <c>tokenizer.json</c>'s
    /// <c>added_tokens</c>).</summary>
    public static AddedToken FromJson(JsonElement e, string content, int id) => new(content, id,
        Special: PretrainedFiles.Bool(e, "special") ?? false,
        LStrip: PretrainedFiles.Bool(e, "lstrip") ?? false,
        RStrip: PretrainedFiles.Bool(e, "rstrip") ?? false);
}

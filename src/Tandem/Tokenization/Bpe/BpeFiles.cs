using System.Text.Json;

namespace Tandem.Tokenization;

/// <summary>
/// Reads a byte-level BPE folder as transformers' slow <c>GPT2Tokenizer</c> / <c>RobertaTokenizer</c> do:
/// <c>vocab.json</c> (token to id), <c>merges.txt</c> (one <c>"a b"</c> merge a line in rank order, after an
/// optional <c>#version</c> line) and the usual <c>tokenizer_config.json</c> / <c>special_tokens_map.json</c>.
/// The special-token template is RoBERTa's (<c>&lt;s&gt; A &lt;/s&gt;</c>, <c>&lt;s&gt; A &lt;/s&gt;&lt;/s&gt; B
/// &lt;/s&gt;</c>) for the RoBERTa-like <c>tokenizer_class</c> names, or, without a class, when the folder names a
/// <c>cls_token</c> and a <c>sep_token</c>; GPT-2's adds nothing (only <c>bos_token</c> with <c>add_bos_token</c>).
/// With <c>add_prefix_space</c> every stretch between special tokens gets its space, as the fast tokenizer's
/// ByteLevel pre-tokenizer does (the slow one adds it only at the start of the text).
/// </summary>
internal static class BpeFiles
{
    private static readonly string[] RobertaLike =
        ["RobertaTokenizer", "BartTokenizer", "LongformerTokenizer", "MarkupLMTokenizer", "LEDTokenizer", "BlenderbotTokenizer"];

    public static PipelineTokenizer FromPretrained(string dir)
    {
        string vocabPath = Path.Combine(dir, PretrainedFiles.BpeVocabFile);
        string mergesPath = Path.Combine(dir, PretrainedFiles.MergesFile);
        if (!File.Exists(vocabPath))
            throw new TandemException($"{mergesPath} has no {PretrainedFiles.BpeVocabFile} beside it; a byte-level BPE tokenizer needs both");
        if (!File.Exists(mergesPath))
            throw new TandemException($"{vocabPath} has no {PretrainedFiles.MergesFile} beside it; a byte-level BPE tokenizer needs both");
        var vocab = ReadVocab(File.ReadAllText(vocabPath), vocabPath);
        var merges = ReadMerges(File.ReadAllLines(mergesPath), mergesPath);
        var config = TokenizerConfig.Read(dir);
        var added = SpecialTokens(config, vocab);
        int? Id(string key) => config.Token(key) is string t ? added.FirstOrDefault(a => a.Content == t)?.Id : null;
        return new PipelineTokenizer(new TokenizerParts
        {
            Vocab = vocab,
            Model = BpeModel.Create(vocab, merges, byteLevel: true, null, null, null, false, dir),
            PreTokenizer = text => ByteLevel.Split(text, config.AddPrefixSpace, useRegex: true),
            Decoder = ByteLevel.Decode,
            Template = Template(config, Id("cls_token"), Id("sep_token"), Id("bos_token"), vocabPath),
            Added = new AddedTokens(added),
            Config = config,
            Kind = "byte-level BPE",
            Files = PretrainedFiles.ReadAll(dir),
        });
    }

    /// <summary>A <c>vocab.json</c>-style object of token to id.</summary>
    /// <exception cref="TandemException">The text is not a JSON object of integers.</exception>
    public static Dictionary<string, int> ReadVocab(string json, string source)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return ReadVocab(doc.RootElement, source);
        }
        catch (JsonException e)
        {
            throw new TandemException($"{source} is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>A vocabulary object of token to id.</summary>
    /// <exception cref="TandemException">The element is not an object of integers.</exception>
    public static Dictionary<string, int> ReadVocab(JsonElement e, string source)
    {
        if (e.ValueKind != JsonValueKind.Object)
            throw new TandemException($"{source}: the vocabulary is not a JSON object of token -> id (found {e.ValueKind.ToString().ToLowerInvariant()})");
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in e.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int id) || id < 0)
                throw new TandemException($"{source}: the id of token \"{p.Name}\" is not a non-negative integer");
            vocab[p.Name] = id;
        }
        return vocab;
    }

    private static List<string> ReadMerges(string[] lines, string source)
    {
        var merges = new List<string>(lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (line.Length == 0 || i == 0 && line.StartsWith("#version", StringComparison.Ordinal))
                continue;
            if (line.Split(' ').Length != 2)
                throw new TandemException($"{source} line {i + 1}: a merge is two tokens separated by one space, found \"{line}\"");
            merges.Add(line);
        }
        return merges;
    }

    // added_tokens_decoder, plus the named special tokens: those in vocab.json keep their id; the others are
    // appended after the vocabulary in transformers' order (bos, eos, unk, sep, pad, cls, mask).
    private static List<AddedToken> SpecialTokens(TokenizerConfig config, Dictionary<string, int> vocab)
    {
        var added = config.AddedTokens.ToList();
        int next = Math.Max(vocab.Count == 0 ? 0 : vocab.Values.Max() + 1, added.Count == 0 ? 0 : added.Max(a => a.Id) + 1);
        foreach (var key in TokenizerConfig.SpecialKeys)
        {
            if (config.Token(key) is not string t || added.Any(a => a.Content == t))
                continue;
            added.Add(new AddedToken(t, vocab.TryGetValue(t, out int id) ? id : next++, Special: true));
        }
        return added;
    }

    private static TokenTemplate Template(TokenizerConfig config, int? cls, int? sep, int? bos, string source)
    {
        string? name = config.TokenizerClass is string c && c.EndsWith("Fast", StringComparison.Ordinal) ? c[..^4] : config.TokenizerClass;
        bool roberta = name is null ? cls is not null && sep is not null : RobertaLike.Contains(name);
        if (roberta)
            return cls is int a && sep is int b ? TokenTemplate.Roberta(a, b)
                : throw new TandemException($"{source}: a {name ?? "RoBERTa-style"} tokenizer needs cls_token and sep_token");
        if (config.AddBosToken && bos is int start)
            return TokenTemplate.Of([TokenTemplate.Token(start, 0), TokenTemplate.Text(0, 0)],
                [TokenTemplate.Token(start, 0), TokenTemplate.Text(0, 0), TokenTemplate.Token(start, 0), TokenTemplate.Text(1, 0)]);
        return TokenTemplate.None;
    }
}

using System.Text.Json;

namespace Tandem.Tokenization;

/// <summary>
/// Reads Hugging Face's fast-tokenizer file, <c>tokenizer.json</c>: <c>added_tokens</c>, <c>normalizer</c>,
/// <c>pre_tokenizer</c>, <c>model</c> (BPE, WordPiece), <c>post_processor</c> and <c>decoder</c>, with the named
/// special tokens and settings of <c>tokenizer_config.json</c> / <c>special_tokens_map.json</c> beside it. A
/// component type Tandem does not read is one error naming the type and the file.
/// </summary>
internal static class TokenizerJson
{
    public static PipelineTokenizer FromPretrained(string dir)
    {
        string path = Path.Combine(dir, PretrainedFiles.TokenizerJsonFile);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new TandemException($"{path} is not valid JSON: {e.Message}", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new TandemException($"{path} is not a JSON object");
            JsonComponent? Part(string key) =>
                root.TryGetProperty(key, out var e) && e.ValueKind == JsonValueKind.Object ? new JsonComponent(e, key, path) : null;
            var model = Part("model") ?? throw new TandemException($"{path} has no \"model\" object");
            var preTokenizer = Part("pre_tokenizer");
            bool byteLevel = JsonPreTokenizers.IsByteLevel(preTokenizer);
            var (vocab, encode, kind) = JsonModels.Create(model, byteLevel);
            return new PipelineTokenizer(new TokenizerParts
            {
                Vocab = vocab,
                Model = encode,
                Normalizer = JsonNormalizers.Create(Part("normalizer")),
                PreTokenizer = JsonPreTokenizers.Create(preTokenizer),
                Decoder = JsonDecoders.Create(Part("decoder")),
                Template = JsonPostProcessors.Create(Part("post_processor")),
                Added = new AddedTokens(AddedTokens(root, path)),
                Config = TokenizerConfig.Read(dir),
                Kind = $"{kind} (tokenizer.json)",
                Files = PretrainedFiles.ReadAll(dir),
            });
        }
    }

    // [ {"id": 0, "content": "[PAD]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}, ... ]
    private static List<AddedToken> AddedTokens(JsonElement root, string path)
    {
        var list = new List<AddedToken>();
        if (!root.TryGetProperty("added_tokens", out var added) || added.ValueKind != JsonValueKind.Array)
            return list;
        foreach (var t in added.EnumerateArray())
        {
            if (t.ValueKind != JsonValueKind.Object || !t.TryGetProperty("id", out var id) || !id.TryGetInt32(out int i)
                || PretrainedFiles.Token(t, "content") is not string content)
                throw new TandemException($"{path}: an added_tokens entry needs an integer id and a content string");
            list.Add(TokenizerConfig.FromJson(t, content, i));
        }
        return list;
    }
}

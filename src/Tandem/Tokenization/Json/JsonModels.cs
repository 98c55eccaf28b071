using System.Text;
using System.Text.Json;
using Ml = Microsoft.ML.Tokenizers;

namespace Tandem.Tokenization;

/// <summary>The <c>model</c> of a <c>tokenizer.json</c>: its vocabulary and the word-to-ids function, built on
/// Microsoft.ML.Tokenizers' BPE and WordPiece.</summary>
internal static class JsonModels
{
    private const string Supported = "BPE, WordPiece";

    public static (Dictionary<string, int> Vocab, Func<string, IEnumerable<int>> Model, string Kind) Create(JsonComponent c, bool byteLevel)
    {
        string type = c.Element.TryGetProperty("type", out _) ? c.Type : c.Element.TryGetProperty("merges", out _) ? "BPE" : c.Type;
        var vocab = BpeFiles.ReadVocab(c.Object("vocab"), $"{c.File}: model.vocab");
        switch (type)
        {
            case "BPE":
                if (!c.IsNull("dropout"))
                    throw c.Error("BPE with dropout is not supported");
                if (c.Bool("byte_fallback") == true)
                    throw c.Error("BPE with byte_fallback is not supported");
                var merges = c.Array("merges").EnumerateArray().Select(m => Merge(c, m)).ToList();
                var bpe = BpeModel.Create(vocab, merges, byteLevel, c.String("unk_token"), c.String("continuing_subword_prefix"),
                    c.String("end_of_word_suffix"), c.Bool("fuse_unk") ?? false, c.File);
                return (vocab, bpe, byteLevel ? "byte-level BPE" : "BPE");
            case "WordPiece":
                return (vocab, WordPiece(c, vocab), "WordPiece");
            case "Unigram":
                throw c.Error("type \"Unigram\" is not supported: Microsoft.ML.Tokenizers reads Unigram models only from a SentencePiece .model file");
            default:
                throw c.Unsupported(Supported);
        }
    }

    // "a b", or ["a", "b"] (newer files).
    private static string Merge(JsonComponent c, JsonElement m) => m.ValueKind switch
    {
        JsonValueKind.String when m.GetString()!.Split(' ').Length == 2 => m.GetString()!,
        JsonValueKind.Array when m.GetArrayLength() == 2 => $"{m[0].GetString()} {m[1].GetString()}",
        _ => throw c.Error($"merge {m} is not \"a b\" nor [a, b]"),
    };

    private static Func<string, IEnumerable<int>> WordPiece(JsonComponent c, Dictionary<string, int> vocab)
    {
        var lines = new string[vocab.Count];
        foreach (var (token, id) in vocab)
        {
            if (id >= lines.Length)
                throw c.Error($"vocab ids are not 0..{vocab.Count - 1} (token \"{token}\" has id {id})");
            lines[id] = token;
        }
        using var text = new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
        Ml.WordPieceTokenizer wordPiece;
        try
        {
            wordPiece = Ml.WordPieceTokenizer.Create(text, new Ml.WordPieceOptions
            {
                UnknownToken = c.String("unk_token") ?? "[UNK]",
                ContinuingSubwordPrefix = c.String("continuing_subword_prefix") ?? TextDecoder.ContinuationPrefix,
                MaxInputCharsPerWord = c.Int("max_input_chars_per_word") ?? 100,
            });
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            throw c.Error($"cannot build the WordPiece model: {e.Message}");
        }
        return word => wordPiece.EncodeToIds(word, considerPreTokenization: false, considerNormalization: false);
    }
}

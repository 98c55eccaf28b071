using System.Text;
using System.Text.Json.Nodes;
using Tandem.Models.Bert;

namespace Tandem.Checkpoints.Onnx;

/// <summary>
/// Converts a BERT model exported to ONNX (plus its WordPiece <c>vocab.txt</c>) into an ordinary Hugging Face
/// checkpoint folder: <c>config.json</c>, <c>model.safetensors</c>, <c>vocab.txt</c>, <c>tokenizer_config.json</c>
/// and <c>special_tokens_map.json</c>, loadable by <see cref="BertModel.FromPretrained"/> and by transformers.
/// The conversion is strict (every BertModel weight must be found, with the right shape) and atomic: the folder is
/// written beside the target under a temporary name and renamed into place, so an interruption never leaves a
/// half-written checkpoint.
/// </summary>
public static class OnnxBertConverter
{
    static readonly string[] SpecialTokens = ["[UNK]", "[SEP]", "[PAD]", "[CLS]", "[MASK]"];

    /// <summary>Converts the ONNX file <paramref name="onnxPath"/> and <paramref name="vocabPath"/> into the new folder
    /// <paramref name="outDir"/> and returns the inferred config.</summary>
    /// <exception cref="TandemException">Unreadable or non-BERT graph, missing weights, bad vocabulary, or
    /// <paramref name="outDir"/> already exists.</exception>
    public static BertConfig Convert(string onnxPath, string vocabPath, string outDir)
    {
        if (!File.Exists(vocabPath)) throw new TandemException($"{vocabPath}: vocabulary file not found");
        RefuseExisting(outDir);
        var graph = OnnxModelReader.Read(onnxPath);
        return Publish(graph, File.ReadAllBytes(vocabPath), onnxPath, vocabPath, outDir, mayExist: false).Config;
    }

    /// <summary>Converts an ONNX model and a vocabulary read from streams; <paramref name="source"/> names the model in errors.</summary>
    /// <exception cref="TandemException">As <see cref="Convert(string, string, string)"/>.</exception>
    public static BertConfig Convert(Stream onnx, Stream vocab, string outDir, string source = "model.onnx")
    {
        RefuseExisting(outDir);
        var graph = OnnxModelReader.Read(onnx, source);
        using var v = new MemoryStream();
        vocab.CopyTo(v);
        return Publish(graph, v.ToArray(), source, "vocab.txt", outDir, mayExist: false).Config;
    }

    /// <summary>Writes the folder under a temporary name and renames it to <paramref name="outDir"/>. When
    /// <paramref name="mayExist"/> and another writer published <paramref name="outDir"/> first, its folder is kept
    /// and <c>Published</c> is false.</summary>
    internal static (BertConfig Config, bool Published) Publish(OnnxGraph graph, byte[] vocab, string source, string vocabSource, string outDir, bool mayExist)
    {
        outDir = Path.GetFullPath(outDir);
        if (!mayExist) RefuseExisting(outDir);
        var parent = Path.GetDirectoryName(outDir)!;
        Directory.CreateDirectory(parent);
        var tmp = Path.Combine(parent, $".{Path.GetFileName(outDir)}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            var config = WriteFolder(graph, vocab, source, vocabSource, tmp);
            try
            {
                Directory.Move(tmp, outDir);
                return (config, true);
            }
            catch (IOException) when (Directory.Exists(outDir))
            {
                if (!mayExist) RefuseExisting(outDir);
                return (config, false);   // another process won the race: its folder is as good as ours
            }
        }
        finally
        {
            if (Directory.Exists(tmp)) TryDelete(tmp);
        }
    }

    /// <summary>Writes the five checkpoint files into <paramref name="dir"/>, checking the weights against a BertModel.</summary>
    static BertConfig WriteFolder(OnnxGraph graph, byte[] vocab, string source, string vocabSource, string dir)
    {
        var (config, weights) = OnnxBertWeights.Extract(graph, source);
        using (var state = new StateDict(weights))
        {
            CheckVocab(vocab, vocabSource, config);
            // Same model as BertModel.FromPretrained builds (with the pooler), so a graph without pooler weights is
            // reported as missing them rather than producing a folder FromPretrained would reject.
            using var model = new BertModel(config);
            var report = CheckpointLoader.Load(model, state, source);
            report.ThrowIfIncomplete(source);
            Directory.CreateDirectory(dir);
            model.SavePretrained(dir);
        }
        File.WriteAllBytes(Path.Combine(dir, "vocab.txt"), vocab);
        var tokens = new JsonObject
        {
            ["cls_token"] = "[CLS]", ["mask_token"] = "[MASK]", ["pad_token"] = "[PAD]", ["sep_token"] = "[SEP]", ["unk_token"] = "[UNK]",
        };
        var tokenizer = new JsonObject
        {
            ["do_lower_case"] = true,
            ["do_basic_tokenize"] = true,
            ["tokenize_chinese_chars"] = true,
            ["strip_accents"] = null,
            ["model_max_length"] = config.MaxPositionEmbeddings,
            ["tokenizer_class"] = "BertTokenizer",
            ["clean_up_tokenization_spaces"] = true,
        };
        foreach (var (k, v) in tokens) tokenizer[k] = v!.DeepClone();
        WriteJson(Path.Combine(dir, "tokenizer_config.json"), tokenizer);
        WriteJson(Path.Combine(dir, "special_tokens_map.json"), tokens);
        return config;
    }

    /// <summary>Checks that the vocabulary has one token per embedding row and the BERT special tokens.</summary>
    static void CheckVocab(byte[] vocab, string source, BertConfig config)
    {
        string text;
        try { text = new UTF8Encoding(false, true).GetString(vocab); }
        catch (DecoderFallbackException) { throw new TandemException($"{source}: not a vocabulary (invalid UTF-8)"); }
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        if (lines.Count != config.VocabSize)
            throw new TandemException($"{source}: {lines.Count} tokens, but the model's embedding matrix has {config.VocabSize} rows");
        var set = lines.ToHashSet(StringComparer.Ordinal);
        var absent = SpecialTokens.Where(t => !set.Contains(t)).ToList();
        if (absent.Count > 0)
            throw new TandemException($"{source}: special tokens missing from the vocabulary: {string.Join(", ", absent)}");
        if (config.PadTokenId is { } pad && lines[pad] != "[PAD]")
            throw new TandemException($"{source}: token {pad} (pad_token_id) is '{lines[pad]}', expected [PAD]");
    }

    static void RefuseExisting(string outDir)
    {
        if (Directory.Exists(outDir) || File.Exists(outDir))
            throw new TandemException($"{Path.GetFullPath(outDir)}: already exists; delete it or choose another output folder");
    }

    static void WriteJson(string path, JsonObject json) =>
        File.WriteAllText(path, json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");

    static void TryDelete(string dir)
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

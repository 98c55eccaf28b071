using System.Text;
using System.Text.Json;
using Tandem.Tokenization.Training;

namespace Tandem.Tokenization;

/// <summary>
/// Writes a trained byte-level BPE as the folder transformers saves for GPT-2 and RoBERTa (and <see cref="BpeFiles"/>
/// reads): <c>vocab.json</c>, <c>merges.txt</c> (after a <c>#version: 0.2</c> line), <c>tokenizer_config.json</c>
/// (with <c>added_tokens_decoder</c> and <c>tokenizer_class</c> <c>GPT2Tokenizer</c> or <c>RobertaTokenizer</c>),
/// <c>special_tokens_map.json</c>, and the same tokenizer as <c>tokenizer.json</c>.
/// </summary>
internal static class BpeFilesWriter
{
    public static void Write(string dir, IReadOnlyList<string> vocab, IReadOnlyList<(string A, string B)> merges, BpeTrainingOptions options)
    {
        Directory.CreateDirectory(dir);
        var utf8 = new UTF8Encoding(false);
        WriteJson(Path.Combine(dir, PretrainedFiles.BpeVocabFile), w =>
        {
            for (int id = 0; id < vocab.Count; id++) w.WriteNumber(vocab[id], id);
        }, indented: false);
        File.WriteAllText(Path.Combine(dir, PretrainedFiles.MergesFile),
            "#version: 0.2\n" + string.Concat(merges.Select(m => $"{m.A} {m.B}\n")), utf8);
        bool roberta = options.Template == BpeTemplate.Roberta;
        WriteJson(Path.Combine(dir, PretrainedFiles.ConfigFile), w =>
        {
            w.WriteString("tokenizer_class", roberta ? "RobertaTokenizer" : "GPT2Tokenizer");
            if (!roberta) w.WriteBoolean("add_bos_token", false);
            w.WriteBoolean("add_prefix_space", false);
            w.WriteStartObject("added_tokens_decoder");
            foreach (var token in options.SpecialTokens)
            {
                w.WriteStartObject(vocab.ToList().IndexOf(token).ToString(System.Globalization.CultureInfo.InvariantCulture));
                w.WriteString("content", token);
                w.WriteBoolean("lstrip", options.LStripTokens.Contains(token));
                w.WriteBoolean("normalized", false);
                w.WriteBoolean("rstrip", false);
                w.WriteBoolean("single_word", false);
                w.WriteBoolean("special", true);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            WriteTokens(w, options);
            w.WriteBoolean("clean_up_tokenization_spaces", true);
            w.WriteString("errors", "replace");
        });
        WriteJson(Path.Combine(dir, PretrainedFiles.SpecialTokensFile), w => WriteTokens(w, options));
        TokenizerJsonWriter.WriteByteLevelBpe(Path.Combine(dir, PretrainedFiles.TokenizerJsonFile), vocab, merges, options.SpecialTokens,
            options.LStripTokens, roberta ? ("<s>", "</s>") : null);
    }

    static void WriteTokens(Utf8JsonWriter w, BpeTrainingOptions options)
    {
        foreach (var (key, token) in options.SpecialTokenKeys) w.WriteString(key, token);
    }

    static void WriteJson(string path, Action<Utf8JsonWriter> body, bool indented = true)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, TokenizerJsonWriter.Options with { Indented = indented });
        w.WriteStartObject();
        body(w);
        w.WriteEndObject();
    }
}

using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tandem.Tokenization;

/// <summary>
/// Writes a <c>tokenizer.json</c> in the layout Hugging Face's tokenizers writes (the keys of its files in
/// <c>reference/tokenizers</c>, in their order): a WordPiece one (BertNormalizer, BertPreTokenizer, WordPiece model,
/// <c>[CLS] $A [SEP]</c> template, WordPiece decoder) or a byte-level BPE one (ByteLevel pre-tokenizer and decoder,
/// BPE model, GPT-2's ByteLevel post-processor or RoBERTa's <c>&lt;s&gt; $A &lt;/s&gt;</c>).
/// </summary>
internal static class TokenizerJsonWriter
{
    /// <summary>Indented, with tokens as they are (<c>Ġ</c>, not <c>\u0120</c>), as Hugging Face writes them.</summary>
    public static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The file of a WordPiece tokenizer: the same vocabulary, normalisation and template.</summary>
    public static void WriteWordPiece(string path, WordPieceTokenizer t)
    {
        var specials = new[] { t.PadToken, t.UnkToken, t.ClsToken, t.SepToken, t.MaskToken }
            .Select(s => (Id: t.TokenToId(s)!.Value, Content: s, LStrip: false)).OrderBy(s => s.Id).ToList();
        Write(path, specials, w =>
        {
            w.WriteStartObject("normalizer");
            w.WriteString("type", "BertNormalizer");
            w.WriteBoolean("clean_text", true);
            w.WriteBoolean("handle_chinese_chars", t.TokenizeChineseChars);
            if (t.StripAccents is bool strip) w.WriteBoolean("strip_accents", strip); else w.WriteNull("strip_accents");
            w.WriteBoolean("lowercase", t.DoLowerCase);
            w.WriteEndObject();
            w.WriteStartObject("pre_tokenizer");
            w.WriteString("type", "BertPreTokenizer");
            w.WriteEndObject();
            WriteTemplate(w, (t.ClsToken, t.ClsTokenId), (t.SepToken, t.SepTokenId));
            w.WriteStartObject("decoder");
            w.WriteString("type", "WordPiece");
            w.WriteString("prefix", TextDecoder.ContinuationPrefix);
            w.WriteBoolean("cleanup", true);
            w.WriteEndObject();
            w.WriteStartObject("model");
            w.WriteString("type", "WordPiece");
            w.WriteString("unk_token", t.UnkToken);
            w.WriteString("continuing_subword_prefix", TextDecoder.ContinuationPrefix);
            w.WriteNumber("max_input_chars_per_word", 100);
            WriteVocab(w, Enumerable.Range(0, t.VocabSize).Select(t.IdToToken).ToList());
            w.WriteEndObject();
        });
    }

    /// <summary>The file of a byte-level BPE: <paramref name="vocab"/> in id order (special tokens included),
    /// <paramref name="merges"/> in rank order, the <paramref name="lstrip"/> specials taking the whitespace before them;
    /// with <paramref name="roberta"/> (its cls and sep tokens) RoBERTa's template, else GPT-2's (no special tokens added).</summary>
    public static void WriteByteLevelBpe(string path, IReadOnlyList<string> vocab, IReadOnlyList<(string A, string B)> merges,
        IReadOnlyList<string> specials, IReadOnlyList<string> lstrip, (string Cls, string Sep)? roberta)
    {
        var ids = vocab.Select((token, id) => (token, id)).ToDictionary(p => p.token, p => p.id, StringComparer.Ordinal);
        Write(path, specials.Select(s => (ids[s], s, lstrip.Contains(s))).ToList(), w =>
        {
            w.WriteNull("normalizer");
            WriteByteLevel(w, "pre_tokenizer", addPrefixSpace: false, trimOffsets: true);
            if (roberta is var (cls, sep))
            {
                w.WriteStartObject("post_processor");
                w.WriteString("type", "RobertaProcessing");
                WritePair(w, "sep", sep, ids[sep]);
                WritePair(w, "cls", cls, ids[cls]);
                w.WriteBoolean("trim_offsets", true);
                w.WriteBoolean("add_prefix_space", false);
                w.WriteEndObject();
            }
            else
                WriteByteLevel(w, "post_processor", addPrefixSpace: true, trimOffsets: false);
            WriteByteLevel(w, "decoder", addPrefixSpace: true, trimOffsets: true);
            w.WriteStartObject("model");
            w.WriteString("type", "BPE");
            w.WriteNull("dropout");
            w.WriteNull("unk_token");
            w.WriteString("continuing_subword_prefix", "");
            w.WriteString("end_of_word_suffix", "");
            w.WriteBoolean("fuse_unk", false);
            w.WriteBoolean("byte_fallback", false);
            w.WriteBoolean("ignore_merges", false);
            WriteVocab(w, vocab);
            w.WriteStartArray("merges");
            foreach (var (a, b) in merges) w.WriteStringValue($"{a} {b}");
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    // version, truncation, padding, added_tokens, then the pipeline parts.
    static void Write(string path, IReadOnlyList<(int Id, string Content, bool LStrip)> added, Action<Utf8JsonWriter> parts)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, Options);
        w.WriteStartObject();
        w.WriteString("version", "1.0");
        w.WriteNull("truncation");
        w.WriteNull("padding");
        w.WriteStartArray("added_tokens");
        foreach (var (id, content, lstrip) in added)
        {
            w.WriteStartObject();
            w.WriteNumber("id", id);
            w.WriteString("content", content);
            w.WriteBoolean("single_word", false);
            w.WriteBoolean("lstrip", lstrip);
            w.WriteBoolean("rstrip", false);
            w.WriteBoolean("normalized", false);
            w.WriteBoolean("special", true);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        parts(w);
        w.WriteEndObject();
    }

    static void WriteByteLevel(Utf8JsonWriter w, string key, bool addPrefixSpace, bool trimOffsets)
    {
        w.WriteStartObject(key);
        w.WriteString("type", "ByteLevel");
        w.WriteBoolean("add_prefix_space", addPrefixSpace);
        w.WriteBoolean("trim_offsets", trimOffsets);
        w.WriteBoolean("use_regex", true);
        w.WriteEndObject();
    }

    // "single": [CLS] $A [SEP], "pair": [CLS] $A [SEP] $B:1 [SEP]:1
    static void WriteTemplate(Utf8JsonWriter w, (string Token, int Id) cls, (string Token, int Id) sep)
    {
        w.WriteStartObject("post_processor");
        w.WriteString("type", "TemplateProcessing");
        w.WriteStartArray("single");
        Piece(w, "SpecialToken", cls.Token, 0); Piece(w, "Sequence", "A", 0); Piece(w, "SpecialToken", sep.Token, 0);
        w.WriteEndArray();
        w.WriteStartArray("pair");
        Piece(w, "SpecialToken", cls.Token, 0); Piece(w, "Sequence", "A", 0); Piece(w, "SpecialToken", sep.Token, 0);
        Piece(w, "Sequence", "B", 1); Piece(w, "SpecialToken", sep.Token, 1);
        w.WriteEndArray();
        w.WriteStartObject("special_tokens");
        foreach (var (token, id) in new[] { cls, sep })
        {
            w.WriteStartObject(token);
            w.WriteString("id", token);
            w.WriteStartArray("ids"); w.WriteNumberValue(id); w.WriteEndArray();
            w.WriteStartArray("tokens"); w.WriteStringValue(token); w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    static void Piece(Utf8JsonWriter w, string kind, string id, int typeId)
    {
        w.WriteStartObject();
        w.WriteStartObject(kind);
        w.WriteString("id", id);
        w.WriteNumber("type_id", typeId);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    static void WritePair(Utf8JsonWriter w, string key, string token, int id)
    {
        w.WriteStartArray(key);
        w.WriteStringValue(token);
        w.WriteNumberValue(id);
        w.WriteEndArray();
    }

    static void WriteVocab(Utf8JsonWriter w, IReadOnlyList<string> vocab)
    {
        w.WriteStartObject("vocab");
        for (int id = 0; id < vocab.Count; id++) w.WriteNumber(vocab[id], id);
        w.WriteEndObject();
    }
}

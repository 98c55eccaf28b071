using Tandem.Checkpoints;
using Tandem.Models.EncoderDecoder;
using Tandem.Models.PrefixLM;
using Tandem.Pretrained;
using Tandem.Tokenization;

namespace Tandem.Pipelines;

/// <summary>
/// Builds a warm-started encoder-decoder model folder the way a user asks for one: each side a checkpoint folder, an
/// embedded name (<c>minilm</c>) or <c>random:&lt;config.json&gt;</c>; one WordPiece tokenizer serves both sides and
/// gives the special ids (decoder start = [CLS], EOS = [SEP], pad = [PAD], as BERT2BERT uses them).
/// </summary>
public static class Seq2SeqInitializer
{
    /// <summary>Default longest generation (decoder start + 127 tokens) written to the new folder's
    /// <c>generation_config.json</c>; transformers' default of 20 is too short for SQL.</summary>
    public const int DefaultMaxLength = 128;

    /// <summary>Warm-starts a model; the tokenizer comes from <paramref name="tokenizer"/> or else the decoder's, else
    /// the encoder's folder. Errors name the mismatch: vocab size against embeddings, differing special ids.</summary>
    public static (EncoderDecoderModel Model, WarmStartReport Report) Create(string encoder, string decoder, bool tie,
        string? tokenizer = null, string? cacheDir = null)
    {
        var encoderSpec = Resolve(encoder, cacheDir);
        var decoderSpec = Resolve(decoder, cacheDir);
        var encoderDir = IsRandom(encoderSpec) ? null : encoderSpec;
        var decoderDir = IsRandom(decoderSpec) ? null : decoderSpec;
        var tokenizerDir = tokenizer is not null ? EmbeddedModels.Resolve(tokenizer, cacheDir)
            : HasVocab(decoderDir) ? decoderDir : HasVocab(encoderDir) ? encoderDir
            : throw new TandemException("no tokenizer: neither side has a vocab.txt; pass --tokenizer DIR (e.g. --tokenizer minilm)");
        var tok = WordPieceTokenizer.FromPretrained(tokenizerDir!);
        if (HasVocab(encoderDir) && HasVocab(decoderDir) && encoderDir != decoderDir) CheckSameTokenizer(encoderDir!, decoderDir!);

        var (model, report) = EncoderDecoderModel.FromEncoderDecoderPretrained(encoderSpec, decoderSpec, new WarmStartOptions
        {
            TieEncoderDecoder = tie,
            DecoderStartTokenId = tok.ClsTokenId,
            EosTokenId = tok.SepTokenId,
            PadTokenId = tok.PadTokenId,
        });
        try
        {
            VocabularyCheck.EnsureFits(tok, model.Config.Encoder.VocabSize, tokenizerDir!, "encoder");
            VocabularyCheck.EnsureFits(tok, model.Config.Decoder.VocabSize, tokenizerDir!, "decoder");
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.TokenizerSource = tokenizerDir;
        model.GenerationConfig.MaxLength = Math.Min(DefaultMaxLength, model.Config.Decoder.MaxPositions);
        return (model, report);
    }

    /// <summary>A UniLM-style prefix LM warm-started from one BERT checkpoint (or <c>random:&lt;config.json&gt;</c>,
    /// which needs <paramref name="tokenizer"/>). Target start = [SEP] (the source's last token), EOS = [SEP].</summary>
    public static (PrefixLMModel Model, LoadReport? Report) CreatePrefixLM(string bert, string? tokenizer = null, string? cacheDir = null)
    {
        var spec = Resolve(bert, cacheDir);
        var tokenizerDir = tokenizer is not null ? EmbeddedModels.Resolve(tokenizer, cacheDir)
            : HasVocab(IsRandom(spec) ? null : spec) ? spec
            : throw new TandemException("no tokenizer: the checkpoint has no vocab.txt; pass --tokenizer DIR (e.g. --tokenizer minilm)");
        var tok = WordPieceTokenizer.FromPretrained(tokenizerDir);
        var (model, report) = PrefixLMModel.FromBert(spec, new PrefixLMOptions
        {
            DecoderStartTokenId = tok.SepTokenId,
            EosTokenId = tok.SepTokenId,
            PadTokenId = tok.PadTokenId,
        });
        try { VocabularyCheck.EnsureFits(tok, model.VocabSize, tokenizerDir); }
        catch { model.Dispose(); throw; }
        model.TokenizerSource = tokenizerDir;
        model.GenerationConfig.MaxLength = Math.Min(DefaultMaxLength, model.Config.Bert.MaxPositionEmbeddings / 4);
        return (model, report);
    }

    static string Resolve(string spec, string? cacheDir) => IsRandom(spec) ? spec : EmbeddedModels.Resolve(spec, cacheDir);

    static bool IsRandom(string spec) => spec.StartsWith("random:", StringComparison.Ordinal);

    static bool HasVocab(string? dir) => dir is not null && File.Exists(Path.Combine(dir, "vocab.txt"));

    static void CheckSameTokenizer(string encoderDir, string decoderDir)
    {
        var a = WordPieceTokenizer.FromPretrained(encoderDir);
        var b = WordPieceTokenizer.FromPretrained(decoderDir);
        var diffs = new List<string>();
        void Cmp(string name, int x, int y) { if (x != y) diffs.Add($"{name} {x} vs {y}"); }
        Cmp("[CLS]", a.ClsTokenId, b.ClsTokenId);
        Cmp("[SEP]", a.SepTokenId, b.SepTokenId);
        Cmp("[PAD]", a.PadTokenId, b.PadTokenId);
        Cmp("[UNK]", a.UnkTokenId, b.UnkTokenId);
        if (diffs.Count > 0)
            throw new TandemException($"the encoder and decoder tokenizers disagree on special-token ids ({string.Join(", ", diffs)}; encoder {encoderDir}, decoder {decoderDir}); both sides must share one tokenizer");
        if (a.VocabSize != b.VocabSize || !File.ReadAllBytes(Path.Combine(encoderDir, "vocab.txt")).SequenceEqual(File.ReadAllBytes(Path.Combine(decoderDir, "vocab.txt"))))
            throw new TandemException($"the encoder ({encoderDir}) and decoder ({decoderDir}) have different vocab.txt files; a Tandem model uses one tokenizer for both sides");
    }
}

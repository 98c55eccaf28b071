using Tandem.Checkpoints;
using Tandem.Models;
using Tandem.Models.EncoderDecoder;
using Tandem.Modeling;
using Tandem.Models.PrefixLM;
using Tandem.Pretrained;
using Tandem.Tokenization;

namespace Tandem.Pipelines;

/// <summary>
/// Builds a warm-started encoder-decoder model folder the way a user asks for one: each side a checkpoint folder of any
/// registered family (<see cref="ModelFamilies"/>), an embedded name (<c>minilm</c>) or <c>random:&lt;config.json&gt;</c>.
/// Each side keeps its own checkpoint's tokenizer (one serves both when they are the same files, or when
/// <c>--tokenizer</c> names one; a <c>random:</c> side uses the tokenizer beside its config.json, if any); the target tokenizer gives the special ids (see <see cref="TargetSpecialIds"/>), and
/// without any tokenizer the decoder's family takes them from its config (RoBERTa, GPT-2) or asks for one (BERT).
/// </summary>
public static class Seq2SeqInitializer
{
    /// <summary>Default longest generation (decoder start + 127 tokens) written to the new folder's
    /// <c>generation_config.json</c>; transformers' default of 20 is too short for SQL.</summary>
    public const int DefaultMaxLength = 128;

    /// <summary>Warm-starts a model. <paramref name="tokenizer"/>, when given, serves both sides; else the encoder reads
    /// with its folder's tokenizer and the decoder writes with its own (a side without one, such as
    /// <c>random:</c>, borrows the other's). Errors name the mismatch: vocab size against embeddings, a tied model
    /// with two tokenizers.</summary>
    /// <param name="encoder">Encoder: a folder, an embedded name or <c>random:config.json</c>.</param>
    /// <param name="decoder">Decoder: likewise.</param>
    /// <param name="tie">Share every weight the two have in common (BERTShare, RoBERTaShare).</param>
    /// <param name="tokenizer">One tokenizer folder for both sides, or null.</param>
    /// <param name="cacheDir">Where embedded models are converted.</param>
    /// <param name="overrides">Decoder start / pad / eos ids that replace the ones the recipe picks (each when set).</param>
    public static (EncoderDecoderModel Model, WarmStartReport Report) Create(string encoder, string decoder, bool tie,
        string? tokenizer = null, string? cacheDir = null, SpecialTokenIds? overrides = null)
    {
        var encoderSpec = Resolve(encoder, cacheDir);
        var decoderSpec = Resolve(decoder, cacheDir);
        var (sourceDir, targetDir) = TokenizerDirs(TokenizerHome(encoderSpec), TokenizerHome(decoderSpec), tokenizer, cacheDir);
        Seq2SeqTokenizers? tokenizers = null;
        bool shared = true;
        SpecialTokenIds ids;
        if (sourceDir is not null && targetDir is not null)
        {
            shared = sourceDir == targetDir || TokenizerFiles.FirstDifference(sourceDir, targetDir) is null;
            if (tie && !shared)
                throw new TandemException($"--tie shares the encoder's weights with the decoder, which needs one tokenizer, but the encoder ({sourceDir}) and decoder ({targetDir}) have different tokenizer files; pass --tokenizer DIR");
            tokenizers = shared ? new Seq2SeqTokenizers(AutoTokenizer.FromPretrained(targetDir))
                : new Seq2SeqTokenizers(AutoTokenizer.FromPretrained(sourceDir), AutoTokenizer.FromPretrained(targetDir));
            var (start, eos, pad) = TargetSpecialIds(tokenizers.Target, targetDir);
            ids = new SpecialTokenIds(start, pad, eos);
        }
        else
        {
            // no tokenizer anywhere: a family whose config names its special ids (RoBERTa, GPT-2) still warm-starts
            var (decoderConfig, _) = EncoderDecoderModel.SideConfig(decoderSpec, "decoder");
            var family = ModelFamilies.Of(decoderConfig);
            ids = family.WarmStartIds(decoderConfig, null)
                ?? throw new TandemException($"no tokenizer: neither side has tokenizer files (tokenizer.json, vocab.json + merges.txt, or vocab.txt), and a {family.Name} decoder takes its special ids from one; pass --tokenizer DIR (e.g. --tokenizer minilm)");
        }

        if (overrides is not null)
            ids = new SpecialTokenIds(overrides.DecoderStart ?? ids.DecoderStart, overrides.Pad ?? ids.Pad, overrides.Eos ?? ids.Eos);
        var (model, report) = EncoderDecoderModel.FromEncoderDecoderPretrained(encoderSpec, decoderSpec, new WarmStartOptions
        {
            TieEncoderDecoder = tie,
            DecoderStartTokenId = ids.DecoderStart,
            EosTokenId = ids.Eos,
            PadTokenId = ids.Pad,
        });
        try
        {
            if (tokenizers is not null)
            {
                VocabularyCheck.EnsureFits(tokenizers.Source, model.Config.Encoder.VocabSize, sourceDir!, "encoder");
                VocabularyCheck.EnsureFits(tokenizers.Target, model.Config.Decoder.VocabSize, targetDir!, "decoder");
                model.TokenizerSource = shared ? targetDir : Staged(tokenizers, sourceDir!, targetDir!);
            }
        }
        catch
        {
            model.Dispose();
            throw;
        }
        foreach (var (name, id) in new[] { ("decoder start", ids.DecoderStart), ("pad", ids.Pad), ("eos", ids.Eos) })
            if (id is { } v && (v < 0 || v >= model.Config.Decoder.VocabSize))
            {
                model.Dispose();
                throw new TandemException($"the {name} id {v} is outside the decoder's vocabulary (vocab_size {model.Config.Decoder.VocabSize})");
            }
        if (tokenizers is null)
            report.Notes.Add($"No tokenizer found in {encoder} or {decoder}: the model folder gets none, and commands that read text " +
                             "will ask for one; pass --tokenizer DIR to add it");
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

    // A checkpoint's tokenizer is in its folder; a random:<config.json> side's is beside its config.json when there is
    // one there (a pre-trained model's folder serves as the shape and vocabulary of its random twin).
    static string? TokenizerHome(string spec) =>
        !IsRandom(spec) ? spec : Path.GetDirectoryName(Path.GetFullPath(spec["random:".Length..])) is { } dir && AutoTokenizer.Exists(dir) ? dir : null;

    static bool HasVocab(string? dir) => dir is not null && File.Exists(Path.Combine(dir, "vocab.txt"));

    // --tokenizer for both sides; else each side's own folder, a side without one borrowing the other's; nulls when
    // no side has one.
    static (string? Source, string? Target) TokenizerDirs(string? encoderDir, string? decoderDir, string? tokenizer, string? cacheDir)
    {
        if (tokenizer is not null)
        {
            var dir = EmbeddedModels.Resolve(tokenizer, cacheDir);
            return (dir, dir);
        }
        string? source = Has(encoderDir) ? encoderDir : Has(decoderDir) ? decoderDir : null;
        string? target = Has(decoderDir) ? decoderDir : source;
        return (source, target);
        static bool Has(string? dir) => dir is not null && AutoTokenizer.Exists(dir);
    }

    /// <summary>The decoder start, eos and pad ids a warm start takes from the target tokenizer, as transformers'
    /// recipes set them: start = <c>cls_token</c> (BERT's [CLS]) else <c>bos_token</c> (RoBERTa's &lt;s&gt;,
    /// GPT-2's &lt;|endoftext|&gt;); eos = <c>eos_token</c> else <c>sep_token</c> (BERT's [SEP]); pad =
    /// <c>pad_token</c>, else the eos (GPT-2 has no pad token; padded label positions are ignored by the loss and
    /// finished beams are padded after their eos, so reusing the eos id changes no result).</summary>
    /// <param name="target">The target (decoder) tokenizer.</param>
    /// <param name="dir">Its folder, for errors.</param>
    /// <exception cref="TandemException">The tokenizer has no start or no end token.</exception>
    public static (int Start, int Eos, int Pad) TargetSpecialIds(ITokenizer target, string dir)
    {
        int start = target.ClsTokenId ?? target.BosTokenId
            ?? throw new TandemException($"the decoder's tokenizer ({dir}) has neither cls_token nor bos_token to start generation with");
        int eos = target.EosTokenId ?? target.SepTokenId
            ?? throw new TandemException($"the decoder's tokenizer ({dir}) has neither eos_token nor sep_token to end generation with");
        return (start, eos, target.PadTokenId ?? eos);
    }

    // Two tokenizers are written once, in the model-folder layout, to a folder named after the two sources; the
    // model's save copies them from there.
    static string Staged(Seq2SeqTokenizers tokenizers, string sourceDir, string targetDir)
    {
        var key = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(sourceDir) + "\n" + Path.GetFullPath(targetDir))))[..16];
        var dir = Path.Combine(Path.GetTempPath(), "tandem-tokenizers", key);
        tokenizers.SavePretrained(dir);
        return dir;
    }
}

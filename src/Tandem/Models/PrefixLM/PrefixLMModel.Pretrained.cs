using TorchSharp;
using Tandem.Checkpoints;
using Tandem.Generation;
using Tandem.Models.Bert;
using Tandem.Models.EncoderDecoder;
using Tandem.Tokenization;

namespace Tandem.Models.PrefixLM;

/// <summary>Special ids for <see cref="PrefixLMModel.FromBert"/>; each defaults to the checkpoint's tokenizer
/// (<c>vocab.txt</c>: the [SEP] id for start and end, the [PAD] id) or to its config.</summary>
public sealed class PrefixLMOptions
{
    /// <summary>The token standing for the source's last token at the start of generated sequences (the [SEP] id).</summary>
    public int? DecoderStartTokenId { get; init; }
    /// <summary>End-of-target id (the [SEP] id).</summary>
    public int? EosTokenId { get; init; }
    /// <summary>Padding id.</summary>
    public int? PadTokenId { get; init; }
}

public sealed partial class PrefixLMModel
{
    /// <summary>How the stack and head take a BERT checkpoint's weights: the stack every encoder weight; the LM head when
    /// the checkpoint has one (else it is new); a pooler, NSP or task head is left unused.</summary>
    static readonly WarmStartLoading WarmStart = new()
    {
        ClassName = "BertLMHeadModel",
        Options = new LoadOptions
        {
            SourcePrefixes = [],
            TargetPrefixes = ["bert."],
            IgnoredPrefixes = ["bert.pooler.", "pooler.", "cls.seq_relationship.", "lm_head.", "qa_outputs.", "classifier."],
        },
        NewKeys = ["cls."],
    };

    /// <summary>The folder whose tokenizer files belong to this model; <see cref="SavePretrained"/> copies them.</summary>
    public string? TokenizerSource { get; set; }

    /// <summary>Loads a prefix-LM folder written by <see cref="SavePretrained"/> (<c>config.json</c> with the
    /// <c>"tandem": {"prefix_lm": true}</c> block, weights in the <c>BertLMHeadModel</c> layout). Strict: any missing,
    /// unexpected or wrong-shaped tensor is an error.</summary>
    public static PrefixLMModel FromPretrained(string dir)
    {
        if (!Directory.Exists(dir)) throw new TandemException($"{dir}: model folder not found");
        var config = PrefixLMConfig.Load(dir);
        var model = Modeling.Initialization.BuildForStrictLoad(() => new PrefixLMModel(config));       // every weight is loaded next
        return ModelFolder.Load(model, dir);
    }

    /// <summary>Writes <c>config.json</c>, the weights (<c>bert.*</c> and <c>cls.predictions.*</c>, the tied output
    /// matrix once, as the word embeddings), <c>generation_config.json</c> and the tokenizer files. Python
    /// transformers loads the folder as a <c>BertLMHeadModel</c>.</summary>
    /// <param name="dir">Target folder, created if needed.</param>
    /// <param name="safeSerialization">Write <c>model.safetensors</c> (default) or <c>pytorch_model.bin</c>.</param>
    public void SavePretrained(string dir, bool safeSerialization = true) =>
        ModelFolder.Save(this, dir, safeSerialization, Config.Save);

    /// <summary>
    /// Warm start from one BERT checkpoint (a bare <c>BertModel</c>, <c>BertForMaskedLM</c>, <c>BertLMHeadModel</c> or
    /// <c>BertForPreTraining</c> folder), or <c>random:&lt;config.json&gt;</c> for a randomly initialised model. The
    /// stack takes every encoder weight; the LM head is taken when the checkpoint has one and newly initialised
    /// otherwise (its output matrix is the word embeddings either way); a pooler or NSP head is left unused.
    /// </summary>
    /// <param name="bertDir">Checkpoint folder, or <c>random:PATH</c>.</param>
    /// <param name="options">Special ids; defaults from the folder's <c>vocab.txt</c> and config.</param>
    /// <returns>The model and how the checkpoint mapped (null for a random model).</returns>
    public static (PrefixLMModel Model, LoadReport? Report) FromBert(string bertDir, PrefixLMOptions? options = null)
    {
        options ??= new PrefixLMOptions();
        BertConfig bertConfig;
        string? dir = null;
        if (bertDir.StartsWith("random:", StringComparison.Ordinal)) bertConfig = BertConfig.Load(bertDir["random:".Length..]);
        else
        {
            if (!Directory.Exists(bertDir)) throw new TandemException($"'{bertDir}': no such folder (give a BERT checkpoint folder or random:<config.json>)");
            if (EncoderDecoderConfig.IsEncoderDecoderFolder(bertDir))
                throw new TandemException($"'{bertDir}' is an encoder-decoder model; a prefix LM starts from one BERT checkpoint");
            if (PrefixLMConfig.IsPrefixLMFolder(bertDir))
                throw new TandemException($"'{bertDir}' is already a prefix-LM model; load it with FromPretrained");
            bertConfig = BertConfig.Load(bertDir);
            dir = bertDir;
        }
        var sep = dir is not null && File.Exists(Path.Combine(dir, PretrainedFiles.VocabFile))
            ? WordPieceTokenizer.FromPretrained(dir) : null;
        var config = new PrefixLMConfig(bertConfig)
        {
            DecoderStartTokenId = options.DecoderStartTokenId ?? sep?.SepTokenId,
            EosTokenId = options.EosTokenId ?? sep?.SepTokenId,
        };
        config.Bert.Architectures = ["BertLMHeadModel"];
        config.PadTokenId = options.PadTokenId ?? sep?.PadTokenId ?? bertConfig.PadTokenId;
        var model = new PrefixLMModel(config) { TokenizerSource = dir };
        if (dir is null) return (model, null);
        try { return (model, WarmStart.Load(model, dir, "BERT")); }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}

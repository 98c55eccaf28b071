using Tandem.Checkpoints;
using Tandem.Modeling;

namespace Tandem.Models;

/// <summary>
/// One model family as the generic parts see it: how to read its <c>config.json</c>, build its encoder and its causal
/// decoder (with cross-attention), warm-start each from a checkpoint folder, and which special ids a seq2seq model
/// warm-started from it uses. <see cref="ModelFamilies"/> lists them; a family lives in its own folder beside
/// <c>Models/Bert</c> and adds one line there.
/// </summary>
public sealed class ModelFamily
{
    /// <summary>The family's name in messages ("BERT", "RoBERTa").</summary>
    public required string Name { get; init; }

    /// <summary>The <c>model_type</c> values it reads (the first is its own).</summary>
    public required IReadOnlyList<string> ModelTypes { get; init; }

    /// <summary>Parses and validates a config (JSON text; the second argument names it in errors).</summary>
    public required Func<string, string, IModelConfig> ParseConfig { get; init; }

    /// <summary>A randomly initialised encoder for a config; null when the family has none (a decoder-only family).</summary>
    public Func<IModelConfig, ITextEncoder>? CreateEncoder { get; init; }

    /// <summary>How an encoder is warm-started from one of the family's checkpoints (with <see cref="CreateEncoder"/>).</summary>
    public WarmStartLoading? EncoderLoading { get; init; }

    /// <summary>The ONNX model of an encoder this family created (<see cref="CreateEncoder"/>), or null when the
    /// family has no ONNX export.</summary>
    public Func<ITextEncoder, byte[]>? ExportOnnx { get; init; }

    /// <summary>A randomly initialised causal decoder with an LM head for a config (its <c>is_decoder</c> and
    /// <c>add_cross_attention</c> already set as wanted).</summary>
    public required Func<IModelConfig, ICausalDecoder> CreateDecoder { get; init; }

    /// <summary>How a decoder is warm-started from one of the family's checkpoints.</summary>
    public required WarmStartLoading DecoderLoading { get; init; }

    /// <summary>Decoder start, pad and EOS ids of a seq2seq model whose decoder is of this family, as transformers'
    /// recipes set them, from the decoder config and a tokenizer folder (may be null); null when they cannot be known
    /// without a tokenizer the folder lacks.</summary>
    public required Func<IModelConfig, string?, SpecialTokenIds?> WarmStartIds { get; init; }

    /// <summary>The family as a masked language model (pre-training, <c>fill-mask</c>); null when it has none.</summary>
    public MaskedLMSupport? MaskedLM { get; init; }

    /// <summary>Whether <paramref name="modelType"/> is one of this family's.</summary>
    public bool Reads(string modelType) => ModelTypes.Contains(modelType);
}

/// <summary>How one half of a seq2seq model takes its weights from a checkpoint of its family.</summary>
public sealed class WarmStartLoading
{
    /// <summary>The class transformers would name in its load messages ("BertLMHeadModel").</summary>
    public required string ClassName { get; init; }

    /// <summary>Key prefixes to strip or add (a <c>bert.</c> / <c>roberta.</c> body under a head).</summary>
    public required LoadOptions Options { get; init; }

    /// <summary>Key fragments the checkpoint may lack: cross-attention, a head or pooler it never had. They are
    /// newly initialised and reported; any other missing weight is an error.</summary>
    public required IReadOnlyList<string> NewKeys { get; init; }

    /// <summary>Loads the checkpoint folder <paramref name="dir"/> into <paramref name="module"/>: wrong shapes and
    /// missing weights outside <see cref="NewKeys"/> are one error; unused checkpoint weights are reported.</summary>
    public LoadReport Load(TorchSharp.torch.nn.Module module, string dir, string family)
    {
        using var weights = StateDict.FromFolder(dir);
        var report = CheckpointLoader.Load(module, weights, dir, Options);
        if (report.ShapeMismatches.Count > 0) report.ThrowIfIncomplete(dir);
        if (report.Loaded.Count == 0)
            throw new TandemException($"{dir}: none of its {weights.Tensors.Count} weights fit a {family} {ClassName} (is it a {family} checkpoint?)");
        var lacking = report.Missing.Where(k => !NewKeys.Any(a => k.Contains(a, StringComparison.Ordinal))).ToList();
        if (lacking.Count > 0)
            throw new TandemException($"{dir}: the checkpoint lacks weights a pre-trained {family} has: {string.Join(", ", lacking.Take(10))}{(lacking.Count > 10 ? ", ..." : "")}");
        return report;
    }
}

using Tandem.Generation;
using Tandem.Modeling;
using Tandem.Tokenization;
using Tandem.Training.Data;

namespace Tandem.Evaluation;

/// <summary>Options of <see cref="ModelEvaluation.Run"/>.</summary>
public sealed class ModelEvaluationOptions
{
    /// <summary>auto, jsonl, tsv or csv layout of the data file.</summary>
    public PairFormat Format { get; init; } = PairFormat.Auto;
    /// <summary>Source field name.</summary>
    public string SourceField { get; init; } = "source";
    /// <summary>Target field name.</summary>
    public string TargetField { get; init; } = "target";
    /// <summary>Longest source in ids.</summary>
    public int MaxSourceLength { get; init; } = 512;
    /// <summary>Longest reference in ids.</summary>
    public int MaxTargetLength { get; init; } = 512;
    /// <summary>Beams (1 = greedy).</summary>
    public int NumBeams { get; init; } = 1;
    /// <summary>Longest output in new tokens; null keeps the model's generation config.</summary>
    public int? MaxNewTokens { get; init; } = 128;
    /// <summary>Padded tokens per batch.</summary>
    public int MaxTokens { get; init; } = 4096;
    /// <summary>At most this many examples (0 = all).</summary>
    public int MaxExamples { get; init; }
    /// <summary>Lower-case before BLEU.</summary>
    public bool Lowercase { get; init; }
    /// <summary>Compute the teacher-forced loss too.</summary>
    public bool ComputeLoss { get; init; } = true;
}

/// <summary>The <c>evaluate</c> command as a library call: load a model folder, generate for a data file, score.</summary>
public static class ModelEvaluation
{
    /// <summary>Evaluates the model in <paramref name="modelDir"/> on <paramref name="dataFile"/>.</summary>
    public static EvaluationResult Run(string modelDir, string dataFile, ModelEvaluationOptions? options = null)
    {
        options ??= new ModelEvaluationOptions();
        using var model = Seq2SeqModels.FromPretrained(modelDir);
        var tokenizers = Seq2SeqTokenizers.FromPretrained(model.TokenizerSource ?? modelDir);
        var pairs = PairReader.Read(dataFile, options.Format, options.SourceField, options.TargetField);
        if (options.MaxExamples > 0) pairs = pairs.Take(options.MaxExamples).ToList();
        int maxSource = Math.Min(options.MaxSourceLength, model.MaxSourceLength);      // longer sources are cut to what the model reads
        var examples = pairs.Select(p => TokenizedExample.From(p, tokenizers, maxSource, options.MaxTargetLength)).ToList();
        var baseConfig = model.GenerationConfig;
        var generation = new GenerationConfig
        {
            DecoderStartTokenId = baseConfig.DecoderStartTokenId ?? model.SpecialIds.DecoderStart,
            PadTokenId = baseConfig.PadTokenId ?? model.SpecialIds.Pad,
            EosTokenId = baseConfig.EosTokenId ?? (model.SpecialIds.Eos is { } eos ? [eos] : null),
            NumBeams = options.NumBeams,
            MaxLength = baseConfig.MaxLength,
            MaxNewTokens = options.MaxNewTokens ?? baseConfig.MaxNewTokens,
        };
        return Evaluator.Evaluate(model, tokenizers, examples, pairs.Select(p => p.Target).ToList(), new EvaluateOptions
        {
            ComputeLoss = options.ComputeLoss, Generation = generation, MaxTokens = options.MaxTokens, Lowercase = options.Lowercase,
        });
    }
}

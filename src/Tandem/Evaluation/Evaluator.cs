using Tandem.Generation;
using Tandem.Modeling;
using Tandem.Tokenization;
using Tandem.Training.Data;
using static TorchSharp.torch;

namespace Tandem.Evaluation;

/// <summary>Options of <see cref="Evaluator"/>.</summary>
public sealed class EvaluateOptions
{
    /// <summary>Compute the teacher-forced loss (default true).</summary>
    public bool ComputeLoss { get; init; } = true;
    /// <summary>Generate and compute exact match, token accuracy and BLEU (default true).</summary>
    public bool Generate { get; init; } = true;
    /// <summary>Generation options; null takes the model's <see cref="ISeq2SeqModel.GenerationConfig"/>.</summary>
    public GenerationConfig? Generation { get; init; }
    /// <summary>Padded tokens per batch.</summary>
    public int MaxTokens { get; init; } = 4096;
    /// <summary>Generate for at most this many examples (0 = all).</summary>
    public int MaxExamples { get; init; }
    /// <summary>Lower-case before BLEU (signature <c>case:lc</c>).</summary>
    public bool Lowercase { get; init; }
    /// <summary>BLEU smoothing.</summary>
    public BleuSmoothing Smoothing { get; init; } = BleuSmoothing.Exp;
}

/// <summary>Evaluates a seq2seq model on a split: loss with teacher forcing, then generation-based metrics.</summary>
public static class Evaluator
{
    /// <summary>Evaluates <paramref name="model"/> (put in eval mode; the caller restores train mode) on
    /// <paramref name="examples"/>, whose reference texts are <paramref name="references"/> (same order; used for BLEU).</summary>
    public static EvaluationResult Evaluate(ISeq2SeqModel model, Seq2SeqTokenizers tokenizers,
        IReadOnlyList<TokenizedExample> examples, IReadOnlyList<string> references, EvaluateOptions? options = null)
    {
        options ??= new EvaluateOptions();
        model.Module.eval();
        using var noGrad = no_grad();
        double? loss = options.ComputeLoss ? Loss(model, examples, options.MaxTokens, tokenizers.SourcePadId) : null;
        if (!options.Generate) return new EvaluationResult { Loss = loss };
        int n = options.MaxExamples > 0 ? Math.Min(options.MaxExamples, examples.Count) : examples.Count;
        var subset = examples.Take(n).ToList();
        var predictions = new long[n][];
        var config = options.Generation ?? model.GenerationConfig;
        foreach (var rows in LengthBatcher.Batches(subset, options.MaxTokens, 0, shuffle: false, 0, 0))
        {
            using var scope = NewDisposeScope();
            using var batch = Seq2SeqBatch.Collate(subset, rows, tokenizers.SourcePadId);
            var output = Tandem.Generation.Generator.Generate(model, batch.InputIds, batch.AttentionMask, config);
            for (int r = 0; r < rows.Length; r++) predictions[rows[r]] = Strip(output.Sequences[r], model.SpecialIds);
        }
        var metrics = new SequenceMetrics();
        var texts = new List<string>(n);
        for (int i = 0; i < n; i++)
        {
            metrics.Add(predictions[i], Strip(subset[i].Labels.Select(x => (long)x).ToArray(), model.SpecialIds, hasStart: false));
            texts.Add(tokenizers.Target.Decode(predictions[i]));
        }
        var bleu = CorpusBleu.Compute(texts, [references.Take(n).ToList()], options.Smoothing, options.Lowercase);
        return new EvaluationResult
        {
            Loss = loss, ExactMatch = metrics.ExactMatch, TokenAccuracy = metrics.TokenAccuracy, Bleu = bleu,
            Examples = n, Predictions = texts,
        };
    }

    /// <summary>Mean cross-entropy per target token over <paramref name="examples"/>.</summary>
    public static double Loss(ISeq2SeqModel model, IReadOnlyList<TokenizedExample> examples, int maxTokens, int padId)
    {
        double sum = 0;
        long tokens = 0;
        using var noGrad = no_grad();
        foreach (var rows in LengthBatcher.Batches(examples, maxTokens, 0, shuffle: false, 0, 0))
        {
            using var noCollection = Native.NoCollection.Enter();
            using var scope = NewDisposeScope();
            using var batch = Seq2SeqBatch.Collate(examples, rows, padId);
            using var output = model.Forward(new Seq2SeqInput { InputIds = batch.InputIds, AttentionMask = batch.AttentionMask, Labels = batch.Labels });
            sum += output.Loss!.item<float>() * batch.TargetTokens;
            tokens += batch.TargetTokens;
        }
        return tokens == 0 ? 0 : sum / tokens;
    }

    /// <summary>Removes the decoder start token and everything from the first eos on (and padding).</summary>
    static long[] Strip(long[] ids, SpecialTokenIds special, bool hasStart = true)
    {
        int start = hasStart && ids.Length > 0 && ids[0] == special.DecoderStart ? 1 : 0;
        var list = new List<long>();
        for (int i = start; i < ids.Length; i++)
        {
            if (ids[i] == special.Eos) break;
            if (ids[i] == special.Pad) continue;
            list.Add(ids[i]);
        }
        return [.. list];
    }
}

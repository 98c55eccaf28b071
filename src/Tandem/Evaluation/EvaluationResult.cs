using System.Globalization;

namespace Tandem.Evaluation;

/// <summary>What an evaluation measured. Metrics that were not computed are null.</summary>
public sealed class EvaluationResult
{
    /// <summary>Mean teacher-forced cross-entropy per target token.</summary>
    public double? Loss { get; init; }
    /// <summary>Fraction of generated outputs equal to the reference (token ids, special tokens removed).</summary>
    public double? ExactMatch { get; init; }
    /// <summary>Position-wise agreement of generated and reference ids.</summary>
    public double? TokenAccuracy { get; init; }
    /// <summary>Corpus BLEU of the decoded outputs against the reference texts.</summary>
    public BleuScore? Bleu { get; init; }
    /// <summary>Masked-LM: share of the masked tokens predicted right (top-1).</summary>
    public double? MaskedAccuracy { get; init; }
    /// <summary>Pre-training: <c>exp(loss)</c> over the predicted tokens (the masked ones, or every next token).</summary>
    public double? Perplexity { get; init; }
    /// <summary>Examples evaluated by generation.</summary>
    public int Examples { get; init; }
    /// <summary>Decoded predictions, in example order (when generation ran).</summary>
    public IReadOnlyList<string> Predictions { get; init; } = [];

    /// <summary>A metric by name: loss, exact_match, token_accuracy or bleu; null when not computed.</summary>
    public double? Get(string name) => name switch
    {
        "loss" => Loss,
        "exact_match" => ExactMatch,
        "token_accuracy" => TokenAccuracy,
        "bleu" => Bleu?.Score,
        "masked_accuracy" => MaskedAccuracy,
        "perplexity" => Perplexity,
        _ => throw new TandemException($"unknown metric '{name}' ({string.Join(", ", MetricNames)})"),
    };

    /// <summary>Every computed metric by name.</summary>
    public Dictionary<string, double> ToDictionary()
    {
        var d = new Dictionary<string, double>();
        foreach (var name in MetricNames) if (Get(name) is { } v) d[name] = v;
        return d;
    }

    /// <summary>The metric names <see cref="Get"/> knows.</summary>
    public static readonly string[] MetricNames = ["loss", "exact_match", "token_accuracy", "bleu", "masked_accuracy", "perplexity"];

    /// <summary>Whether larger is better for a metric (false for loss and perplexity).</summary>
    public static bool HigherIsBetter(string name) => name is not ("loss" or "perplexity");

    /// <summary>Whether the metric is one only pre-training evaluation computes (perplexity: masked and causal LM;
    /// masked_accuracy: masked LM).</summary>
    public static bool IsMaskedLMMetric(string name) => name is "masked_accuracy" or "perplexity";

    /// <summary>One line, e.g. <c>loss 0.412 · exact_match 96.0% · token_accuracy 98.1% · BLEU 91.23</c>.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        var c = CultureInfo.InvariantCulture;
        if (Loss is { } l) parts.Add(string.Create(c, $"loss {l:F4}"));
        if (ExactMatch is { } e) parts.Add(string.Create(c, $"exact_match {100 * e:F1}%"));
        if (TokenAccuracy is { } t) parts.Add(string.Create(c, $"token_accuracy {100 * t:F1}%"));
        if (MaskedAccuracy is { } m) parts.Add(string.Create(c, $"masked_accuracy {100 * m:F1}%"));
        if (Perplexity is { } p) parts.Add(string.Create(c, $"perplexity {p:F2}"));
        if (Bleu is { } b) parts.Add(string.Create(c, $"BLEU {b.Score:F2} ({b.Signature})"));
        return string.Join(" · ", parts);
    }
}

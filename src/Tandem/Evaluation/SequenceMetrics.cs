namespace Tandem.Evaluation;

/// <summary>Exact match and token accuracy of predicted id sequences against reference id sequences (special
/// tokens already removed). Token accuracy counts the positions where both agree, over the longer of the two
/// sequences, summed over the corpus.</summary>
public sealed class SequenceMetrics
{
    long _exact, _count, _tokensRight, _tokensTotal;

    /// <summary>Adds one prediction and its reference.</summary>
    public void Add(IReadOnlyList<long> predicted, IReadOnlyList<long> reference)
    {
        _count++;
        int len = Math.Max(predicted.Count, reference.Count), right = 0;
        for (int i = 0; i < Math.Min(predicted.Count, reference.Count); i++) if (predicted[i] == reference[i]) right++;
        if (right == len) _exact++;
        _tokensRight += right;
        _tokensTotal += len;
    }

    /// <summary>Fraction of predictions equal to their reference (0–1).</summary>
    public double ExactMatch => _count == 0 ? 0 : (double)_exact / _count;

    /// <summary>Fraction of aligned positions that agree (0–1).</summary>
    public double TokenAccuracy => _tokensTotal == 0 ? 0 : (double)_tokensRight / _tokensTotal;

    /// <summary>Number of examples added.</summary>
    public long Count => _count;
}

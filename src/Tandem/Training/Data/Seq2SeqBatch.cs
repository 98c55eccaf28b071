using Tandem.Modeling;
using static TorchSharp.torch;

namespace Tandem.Training.Data;

/// <summary>A padded batch: source ids and mask, labels padded with -100. Owns its tensors.</summary>
public sealed class Seq2SeqBatch : IDisposable
{
    /// <summary>Source ids <c>[batch, srcLen]</c>, padded with the pad id.</summary>
    public required Tensor InputIds { get; init; }
    /// <summary>1 for a source token, 0 for padding <c>[batch, srcLen]</c>.</summary>
    public required Tensor AttentionMask { get; init; }
    /// <summary>Label ids <c>[batch, tgtLen]</c>, -100 where padded.</summary>
    public required Tensor Labels { get; init; }
    /// <summary>Number of real (non-padding) label tokens.</summary>
    public required long TargetTokens { get; init; }
    /// <summary>Rows.</summary>
    public required int Rows { get; init; }

    /// <summary>Pads <paramref name="rows"/> of <paramref name="examples"/> into tensors (in the caller's dispose scope).</summary>
    public static Seq2SeqBatch Collate(IReadOnlyList<TokenizedExample> examples, IReadOnlyList<int> rows, int padId, Device? device = null)
    {
        int n = rows.Count;
        int srcLen = rows.Max(i => examples[i].Source.Length), tgtLen = rows.Max(i => examples[i].Labels.Length);
        var ids = new long[n * srcLen];
        var mask = new long[n * srcLen];
        var labels = new long[n * tgtLen];
        Array.Fill(ids, padId);
        Array.Fill(labels, Seq2SeqLabels.IgnoreIndex);
        long tokens = 0;
        for (int r = 0; r < n; r++)
        {
            var e = examples[rows[r]];
            for (int j = 0; j < e.Source.Length; j++) { ids[r * srcLen + j] = e.Source[j]; mask[r * srcLen + j] = 1; }
            for (int j = 0; j < e.Labels.Length; j++) labels[r * tgtLen + j] = e.Labels[j];
            tokens += e.Labels.Length;
        }
        return new Seq2SeqBatch
        {
            InputIds = tensor(ids, [n, srcLen], ScalarType.Int64, device),          // [batch, srcLen]
            AttentionMask = tensor(mask, [n, srcLen], ScalarType.Int64, device),    // [batch, srcLen]
            Labels = tensor(labels, [n, tgtLen], ScalarType.Int64, device),         // [batch, tgtLen]
            TargetTokens = tokens,
            Rows = n,
        };
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        InputIds.Dispose();
        AttentionMask.Dispose();
        Labels.Dispose();
    }
}

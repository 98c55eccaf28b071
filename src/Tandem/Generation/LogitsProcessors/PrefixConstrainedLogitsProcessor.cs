using Tandem.Native;
using static TorchSharp.torch;

namespace Tandem.Generation.LogitsProcessors;

/// <summary>transformers' <c>PrefixConstrainedLogitsProcessor</c>: -inf for every token the function does not
/// allow after a row's prefix. Rows are grouped <paramref name="rowsPerInput"/> to an input (beams or samples), so
/// row <c>r</c> belongs to input <c>r / rowsPerInput</c>. Tandem extra: a row may be given a set to exclude
/// (<see cref="AllowedTokens.Except"/>) instead of a set to keep.</summary>
internal sealed class PrefixConstrainedLogitsProcessor(PrefixAllowedTokensFn allowed, int rowsPerInput) : ILogitsProcessor
{
    public Tensor Process(Tensor sequences, Tensor scores)
    {
        var seqs = ScoreOps.Rows(sequences);
        long vocab = scores.size(1);
        var onlyRows = new List<long>();
        var keepRows = new List<long>();
        var keepCols = new List<long>();
        var dropRows = new List<long>();
        var dropCols = new List<long>();
        for (int r = 0; r < seqs.Length; r++)
        {
            var next = allowed(r / rowsPerInput, seqs[r]);
            if (next is null || (!next.Except && next.Ids.Count == 0)) continue;
            ScoreOps.CheckInVocab("prefix_allowed_tokens_fn", next.Ids, vocab);
            if (!next.Except) onlyRows.Add(r);
            var (rows, cols) = next.Except ? (dropRows, dropCols) : (keepRows, keepCols);
            foreach (var id in next.Ids)
            {
                rows.Add(r);
                cols.Add(id);
            }
        }
        if (onlyRows.Count == 0 && dropRows.Count == 0) return scores.clone();
        var bias = zeros_like(scores);                                                   // [rows, vocab]
        if (onlyRows.Count > 0) bias.index_fill_(0, tensor(onlyRows.ToArray(), device: scores.device), Scalars.NegativeInfinity);
        bias = ScoreOps.FillAt(bias, keepRows, keepCols, 0f);
        bias = ScoreOps.FillAt(bias, dropRows, dropCols, float.NegativeInfinity);
        return scores.Add(bias);
    }
}

using Tandem.Native;
using static TorchSharp.torch;

namespace Tandem.Generation.LogitsProcessors;

/// <summary>transformers' <c>NoBadWordsLogitsProcessor</c> (a -inf sequence bias): a single-token bad word is
/// always -inf; the last token of a longer one is -inf in rows ending with its prefix (only once the row is at
/// least as long as the whole bad word, as transformers checks). A bad word equal to one EOS id is ignored.</summary>
internal sealed class NoBadWordsLogitsProcessor : ILogitsProcessor
{
    private readonly long[] _single;
    private readonly long[][] _multi;
    private readonly int[] _all;

    public NoBadWordsLogitsProcessor(IReadOnlyList<IReadOnlyList<int>> badWordsIds, IReadOnlyList<int>? eosTokenIds)
    {
        if (badWordsIds.Count == 0) throw new TandemException("bad_words_ids must not be an empty list.");
        foreach (var seq in badWordsIds)
        {
            if (seq.Count == 0) throw new TandemException("bad_words_ids must not contain an empty sequence.");
            if (seq.Any(id => id < 0)) throw new TandemException("bad_words_ids must not contain negative ids.");
        }
        var eos = eosTokenIds ?? [];
        var kept = badWordsIds.Where(seq => !(seq.Count == 1 && eos.Contains(seq[0]))).ToList();
        _single = kept.Where(s => s.Count == 1).Select(s => (long)s[0]).Distinct().ToArray();
        _multi = kept.Where(s => s.Count > 1).Select(s => s.Select(i => (long)i).ToArray()).ToArray();
        _all = kept.SelectMany(s => s).ToArray();
    }

    public Tensor Process(Tensor sequences, Tensor scores)
    {
        ScoreOps.CheckInVocab("bad_words_ids", _all, scores.size(1));
        var bias = zeros_like(scores);                                             // [rows, vocab]
        if (_single.Length > 0) bias.index_fill_(1, tensor(_single, device: scores.device), Scalars.NegativeInfinity);
        if (_multi.Length > 0)
        {
            var rows = new List<long>();
            var cols = new List<long>();
            var seqs = ScoreOps.Rows(sequences);
            foreach (var bad in _multi)
            {
                if (bad.Length > sequences.size(1)) continue;
                for (int r = 0; r < seqs.Length; r++)
                    if (EndsWith(seqs[r], bad.AsSpan(0, bad.Length - 1)))
                    {
                        rows.Add(r);
                        cols.Add(bad[^1]);
                    }
            }
            bias = ScoreOps.FillAt(bias, rows, cols, float.NegativeInfinity);
        }
        return scores.Add(bias);
    }

    private static bool EndsWith(long[] row, ReadOnlySpan<long> prefix) => row.AsSpan().EndsWith(prefix);
}

using static TorchSharp.torch;

namespace Tandem.Generation.LogitsProcessors;

/// <summary>transformers' <c>NoRepeatNGramLogitsProcessor</c>: a token that would complete an n-gram already
/// present in the row (start token included) gets -inf.</summary>
internal sealed class NoRepeatNGramLogitsProcessor : ILogitsProcessor
{
    private readonly int _n;

    public NoRepeatNGramLogitsProcessor(int ngramSize)
    {
        if (ngramSize <= 0) throw new TandemException($"no_repeat_ngram_size must be positive (got {ngramSize}).");
        _n = ngramSize;
    }

    public Tensor Process(Tensor sequences, Tensor scores)
    {
        int curLen = (int)sequences.size(1);
        if (curLen + 1 < _n) return scores.clone();
        var rows = new List<long>();
        var cols = new List<long>();
        var seqs = ScoreOps.Rows(sequences);
        for (int r = 0; r < seqs.Length; r++)
            foreach (var banned in Banned(seqs[r]))
            {
                rows.Add(r);
                cols.Add(banned);
            }
        return ScoreOps.FillAt(scores, rows, cols, float.NegativeInfinity);
    }

    /// <summary>Tokens that followed an earlier occurrence of the row's last n-1 tokens.</summary>
    private IEnumerable<long> Banned(long[] tokens)
    {
        int prefix = _n - 1, start = tokens.Length - prefix;
        var result = new HashSet<long>();
        for (int i = 0; i + _n <= tokens.Length; i++)
        {
            bool match = true;
            for (int j = 0; j < prefix && match; j++) match = tokens[i + j] == tokens[start + j];
            if (match) result.Add(tokens[i + prefix]);
        }
        return result;
    }
}

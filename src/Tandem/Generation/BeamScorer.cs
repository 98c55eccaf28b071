namespace Tandem.Generation;

/// <summary>The per-step choice of beam search, as transformers 4.40 <c>BeamSearchScorer</c>: from each input's
/// sorted top candidates, EOS candidates ranked within the first <c>num_beams</c> become hypotheses and the first
/// <c>num_beams</c> non-EOS candidates become the next beams.</summary>
internal sealed class BeamScorer
{
    private readonly int _batch, _beams;
    private readonly GenerationPlan _plan;
    private readonly BeamHypotheses[] _hyps;
    private readonly bool[] _done;

    public BeamScorer(int batch, GenerationPlan plan)
    {
        _batch = batch;
        _beams = plan.Config.NumBeams;
        _plan = plan;
        _hyps = Enumerable.Range(0, batch).Select(_ => new BeamHypotheses(
            _beams, plan.Config.LengthPenalty, plan.Config.EarlyStopping, plan.MaxLength)).ToArray();
        _done = new bool[batch];
    }

    /// <summary>Whether every input is done.</summary>
    public bool IsDone => _done.All(d => d);

    /// <summary>Chooses the next beams. <paramref name="scores"/>, <paramref name="tokens"/> and
    /// <paramref name="beamOf"/> are <c>[batch, k]</c> flattened, sorted best first per input; sequences and beam
    /// indices are per row (<c>batch x num_beams</c>). Returns, per row, the new running score, the token to
    /// append and the source row (a done input gets 0, pad and row 0, as transformers does).</summary>
    public (float[] Scores, long[] Tokens, long[] Rows) Process(long[][] sequences, float[] scores, long[] tokens,
        long[] beamOf, int k, long[][] beamIndices)
    {
        int rows = _batch * _beams, curLength = sequences[0].Length + 1;
        var nextScores = new float[rows];
        var nextTokens = new long[rows];
        var nextRows = new long[rows];
        for (int b = 0; b < _batch; b++)
        {
            if (_done[b])
            {
                for (int j = 0; j < _beams; j++) nextTokens[b * _beams + j] = _plan.Pad!.Value;
                continue;
            }
            int filled = 0;
            for (int rank = 0; rank < k && filled < _beams; rank++)
            {
                int c = b * k + rank;
                long row = b * _beams + beamOf[c];
                if (_plan.Eos.Contains((int)tokens[c]))
                {
                    if (rank >= _beams) continue;
                    _hyps[b].Add(sequences[row], scores[c], [.. beamIndices[row], row],
                        curLength - _plan.PromptLength);
                }
                else
                {
                    int slot = b * _beams + filled++;
                    (nextScores[slot], nextTokens[slot], nextRows[slot]) = (scores[c], tokens[c], row);
                }
            }
            if (filled < _beams)
                throw new TandemException($"Beam search found fewer than num_beams ({_beams}) non-EOS candidates.");
            float best = scores.AsSpan(b * k, k).ToArray().Max();
            _done[b] = _hyps[b].IsDone(best, curLength, _plan.PromptLength);
        }
        return (nextScores, nextTokens, nextRows);
    }

    /// <summary>Adds the running beams of unfinished inputs, then returns the best
    /// <c>num_return_sequences</c> hypotheses per input: EOS appended where it fits, rows padded to a common
    /// length <c>min(longest + 1, max_length)</c>.</summary>
    public GenerationOutput Finalize(long[][] sequences, float[] beamScores, long[][] beamIndices,
        IReadOnlyList<float[][]>? scores)
    {
        for (int b = 0; b < _batch; b++)
        {
            if (_done[b]) continue;
            for (int j = 0; j < _beams; j++)
            {
                int row = b * _beams + j;
                _hyps[b].Add(sequences[row], beamScores[row], beamIndices[row],
                    sequences[row].Length - _plan.PromptLength);
            }
        }
        int keep = _plan.Config.NumReturnSequences;
        var best = new List<Hypothesis>();
        foreach (var hyps in _hyps)
        {
            var ascending = hyps.Beams.OrderBy(h => h.Score).ToList(); // stable, as Python's sorted
            for (int j = 0; j < keep; j++) best.Add(ascending[ascending.Count - 1 - j]);
        }
        int width = Math.Min(best.Max(h => h.Tokens.Length) + 1, _plan.MaxLength);
        long fill = _plan.Pad ?? 0;
        var decoded = new long[best.Count][];
        var indices = new long[best.Count][];
        for (int i = 0; i < best.Count; i++)
        {
            var h = best[i];
            decoded[i] = Enumerable.Repeat(fill, width).ToArray();
            h.Tokens.CopyTo(decoded[i], 0);
            if (h.Tokens.Length < width && _plan.Eos.Length > 0) decoded[i][h.Tokens.Length] = _plan.Eos[0];
            indices[i] = Enumerable.Repeat(-1L, width).ToArray();
            h.BeamIndices.AsSpan(0, Math.Min(width, h.BeamIndices.Length)).CopyTo(indices[i]);
        }
        var sequenceScores = best.Select(h => (float)h.Score).ToArray();
        return new GenerationOutput(decoded, scores, sequenceScores, indices);
    }
}

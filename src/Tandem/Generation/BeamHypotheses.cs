namespace Tandem.Generation;

/// <summary>One finished (or finalised) beam hypothesis: its length-normalised score, its tokens (decoder start
/// token first, EOS excluded) and, per generated position, the beam row that produced it.</summary>
internal readonly record struct Hypothesis(double Score, long[] Tokens, long[] BeamIndices);

/// <summary>The best <c>num_beams</c> finished hypotheses of one input, as transformers 4.40
/// <c>BeamHypotheses</c>: score = sum_logprobs / generated_len ** length_penalty (double precision).</summary>
internal sealed class BeamHypotheses(int numBeams, double lengthPenalty, EarlyStopping earlyStopping, int maxLength)
{
    private readonly List<Hypothesis> _beams = [];
    private double _worstScore = 1e9;

    /// <summary>Kept hypotheses in insertion order (minus evicted ones).</summary>
    public IReadOnlyList<Hypothesis> Beams => _beams;

    /// <summary>Adds a hypothesis if there is room or it beats the worst kept one (which is then evicted).</summary>
    /// <param name="tokens">Tokens, decoder start token first, EOS excluded.</param>
    /// <param name="sumLogprobs">Sum of the processed log-probabilities, EOS included.</param>
    /// <param name="beamIndices">Beam row per generated position.</param>
    /// <param name="generatedLength">Tokens after the decoder prompt, EOS included.</param>
    public void Add(long[] tokens, double sumLogprobs, long[] beamIndices, int generatedLength)
    {
        double score = sumLogprobs / Math.Pow(generatedLength, lengthPenalty);
        if (_beams.Count >= numBeams && !(score > _worstScore)) return;
        _beams.Add(new Hypothesis(score, tokens, beamIndices));
        if (_beams.Count > numBeams)
        {
            // ascending by (score, position): evict the first, the second becomes the worst
            var order = Enumerable.Range(0, _beams.Count).OrderBy(i => _beams[i].Score).ThenBy(i => i).ToArray();
            _worstScore = _beams[order[1]].Score;
            _beams.RemoveAt(order[0]);
        }
        else
        {
            _worstScore = Math.Min(score, _worstScore);
        }
    }

    /// <summary>Whether no running beam can still improve this input's hypotheses.</summary>
    /// <param name="bestSumLogprobs">Best running candidate score of this input at this step.</param>
    /// <param name="curLength">Decoder length the candidate scores were computed on (sequence length + 1).</param>
    /// <param name="promptLength">Decoder prompt length.</param>
    public bool IsDone(double bestSumLogprobs, int curLength, int promptLength)
    {
        if (_beams.Count < numBeams) return false;
        if (earlyStopping == EarlyStopping.True) return true;
        int length = curLength - promptLength;
        if (earlyStopping == EarlyStopping.Never && lengthPenalty > 0.0)
        {
            if (maxLength <= promptLength)
                throw new TandemException("max_length is not larger than the decoder prompt length.");
            length = maxLength - promptLength;
        }
        double highestAttainable = bestSumLogprobs / Math.Pow(length, lengthPenalty);
        return _worstScore >= highestAttainable;
    }
}

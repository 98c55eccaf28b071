namespace Tandem.Generation;

/// <summary>What <see cref="Generator.Generate"/> returns, as transformers' generate output with
/// <c>return_dict_in_generate=True</c>.</summary>
public sealed class GenerationOutput
{
    internal GenerationOutput(long[][] sequences, IReadOnlyList<float[][]>? scores, float[]? sequencesScores,
        long[][]? beamIndices)
    {
        Sequences = sequences;
        Scores = scores;
        SequencesScores = sequencesScores;
        BeamIndices = beamIndices;
    }

    /// <summary>Generated decoder sequences <c>[rows][len]</c>, each starting with the decoder start token (a
    /// decoder-only LM: with its prompt, left pads included, as transformers returns them), rows
    /// padded with <c>pad_token_id</c> after EOS; rows = batch x <c>num_return_sequences</c>, the sequences of one
    /// input consecutive.</summary>
    public long[][] Sequences { get; }

    /// <summary>With <c>output_scores</c>: one entry per generated position, the processed scores
    /// <c>[rows][vocab]</c> from which the token was chosen (transformers' <c>scores</c>: after the logits
    /// processors and warpers; for beam search log-softmaxed and processed, without the running beam score, with
    /// rows = batch x <c>num_beams</c>); otherwise null.</summary>
    public IReadOnlyList<float[][]>? Scores { get; }

    /// <summary>Beam search only: the length-normalised score of each returned sequence <c>[rows]</c>.</summary>
    public float[]? SequencesScores { get; }

    /// <summary>Beam search only: for each returned sequence and generated position, the beam row
    /// (<c>batch x num_beams</c> numbering) that produced the token; -1 past the sequence's end.</summary>
    public long[][]? BeamIndices { get; }
}

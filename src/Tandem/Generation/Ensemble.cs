using TorchSharp;
using Tandem.Native;
using static TorchSharp.torch;

namespace Tandem.Generation;

/// <summary>
/// Several models decoding as one: at every step the next-token distribution is the mean of the members'
/// distributions (log of the averaged probabilities, as fairseq's ensemble does), so greedy, beam search and
/// sampling run on an ensemble unchanged. The members must share the vocabulary and the special tokens
/// (<see cref="Pipelines.Seq2SeqPipeline.Load(IReadOnlyList{string})"/> checks that).
/// </summary>
public sealed class Ensemble : IGenerativeModel
{
    readonly IReadOnlyList<IGenerativeModel> _members;

    /// <summary>An ensemble of <paramref name="members"/> (at least one; one behaves as that model alone).</summary>
    public Ensemble(IReadOnlyList<IGenerativeModel> members)
    {
        if (members.Count == 0) throw new TandemException("an ensemble needs at least one model");
        if (members.Any(m => m.DecodesFromInputs != members[0].DecodesFromInputs))
            throw new TandemException("an ensemble cannot mix decoder-only and encoder-decoder models");
        _members = members;
    }

    /// <inheritdoc/>
    public bool DecodesFromInputs => _members[0].DecodesFromInputs;

    /// <summary>The members, in order.</summary>
    public IReadOnlyList<IGenerativeModel> Members => _members;

    /// <inheritdoc/>
    public IDecodingSession StartDecoding(Tensor inputIds, Tensor attentionMask, bool useCache = true)
    {
        var sessions = new List<IDecodingSession>();
        try
        {
            foreach (var m in _members) sessions.Add(m.StartDecoding(inputIds, attentionMask, useCache));
            return new Session(sessions);
        }
        catch
        {
            foreach (var s in sessions) s.Dispose();
            throw;
        }
    }

    sealed class Session(List<IDecodingSession> sessions) : IDecodingSession
    {
        public Tensor NextLogits(Tensor sequences)
        {
            if (sessions.Count == 1) return sessions[0].NextLogits(sequences);
            using var scope = NewDisposeScope();
            var logProbs = stack(sessions.Select(s => s.NextLogits(sequences).to(ScalarType.Float32).log_softmax(-1)).ToArray()); // [members, rows, vocab]
            return logProbs.logsumexp(0).Sub(Math.Log(sessions.Count)).MoveToOuterDisposeScope();                         // [rows, vocab]
        }

        public void Reorder(Tensor rowIndices)
        {
            foreach (var s in sessions) s.Reorder(rowIndices);
        }

        public void Dispose()
        {
            foreach (var s in sessions) s.Dispose();
        }
    }
}

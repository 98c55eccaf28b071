using Tandem.Native;
using static TorchSharp.torch;

namespace Tandem.Generation.LogitsProcessors;

/// <summary>transformers' <c>RepetitionPenaltyLogitsProcessor</c>: for every token present in the decoder
/// sequence (start token included), a negative score is multiplied by the penalty, another one divided.</summary>
internal sealed class RepetitionPenaltyLogitsProcessor : ILogitsProcessor
{
    private readonly double _penalty;

    public RepetitionPenaltyLogitsProcessor(double penalty)
    {
        if (!(penalty > 0) || !double.IsFinite(penalty))
            throw new TandemException($"repetition_penalty must be a strictly positive number (got {penalty}).");
        _penalty = penalty;
    }

    public Tensor Process(Tensor sequences, Tensor scores)
    {
        var seen = scores.gather(1, sequences);                                    // [rows, curLen]
        var penalised = where(seen.Lt(0), seen.Mul(_penalty), seen.Div(_penalty));         // [rows, curLen]
        return scores.scatter(1, sequences, penalised);
    }
}

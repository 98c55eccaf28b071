using static TorchSharp.torch;

namespace Tandem.Generation.LogitsProcessors;

/// <summary>transformers' <c>ForcedEOSTokenLogitsProcessor</c>: when the decoder length is
/// <c>max_length - 1</c> every score is -inf except 0 for the forced EOS id(s).</summary>
internal sealed class ForcedEosTokenLogitsProcessor : ILogitsProcessor
{
    private readonly int _maxLength;
    private readonly IReadOnlyList<int> _eos;

    public ForcedEosTokenLogitsProcessor(int maxLength, IReadOnlyList<int> eosTokenIds)
    {
        if (maxLength < 1) throw new TandemException($"max_length must be at least 1 (got {maxLength}).");
        if (eosTokenIds.Count == 0 || eosTokenIds.Any(i => i < 0))
            throw new TandemException("forced_eos_token_id must hold at least one non-negative id.");
        _maxLength = maxLength;
        _eos = eosTokenIds.ToArray();
    }

    public Tensor Process(Tensor sequences, Tensor scores)
    {
        if (sequences.size(1) != _maxLength - 1) return scores.clone();
        ScoreOps.CheckInVocab("forced_eos_token_id", _eos, scores.size(1));
        return ScoreOps.OnlyTokens(scores, _eos);
    }
}

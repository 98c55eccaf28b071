using static TorchSharp.torch;

namespace Tandem.Generation.LogitsProcessors;

/// <summary>transformers' <c>ForcedBOSTokenLogitsProcessor</c>: at the first generated position (decoder length
/// 1) every score is -inf except 0 for the forced token.</summary>
internal sealed class ForcedBosTokenLogitsProcessor : ILogitsProcessor
{
    private readonly int _bos;

    public ForcedBosTokenLogitsProcessor(int bosTokenId)
    {
        if (bosTokenId < 0) throw new TandemException($"forced_bos_token_id must not be negative (got {bosTokenId}).");
        _bos = bosTokenId;
    }

    public Tensor Process(Tensor sequences, Tensor scores)
    {
        if (sequences.size(1) != 1) return scores.clone();
        ScoreOps.CheckInVocab("forced_bos_token_id", [_bos], scores.size(1));
        return ScoreOps.OnlyTokens(scores, [_bos]);
    }
}

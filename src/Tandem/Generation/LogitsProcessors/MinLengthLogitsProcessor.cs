using Tandem.Native;
using static TorchSharp.torch;

namespace Tandem.Generation.LogitsProcessors;

/// <summary>transformers' <c>MinLengthLogitsProcessor</c>: EOS scores become -inf while the decoder length
/// (start token included) is below <c>min_length</c>.</summary>
internal sealed class MinLengthLogitsProcessor : ILogitsProcessor
{
    private readonly int _minLength;
    private readonly long[] _eos;

    public MinLengthLogitsProcessor(int minLength, IReadOnlyList<int> eosTokenIds)
    {
        if (minLength < 0) throw new TandemException($"min_length must not be negative (got {minLength}).");
        if (eosTokenIds.Count == 0) throw new TandemException("MinLength needs at least one eos_token_id.");
        _minLength = minLength;
        _eos = eosTokenIds.Select(i => (long)i).ToArray();
    }

    public Tensor Process(Tensor sequences, Tensor scores)
    {
        if (sequences.size(1) >= _minLength) return scores.clone();
        ScoreOps.CheckInVocab("eos_token_id", _eos.Select(i => (int)i), scores.size(1));
        return scores.index_fill(1, tensor(_eos, device: scores.device), Scalars.NegativeInfinity);
    }
}

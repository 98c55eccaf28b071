using Tandem.Native;
using static TorchSharp.torch;

namespace Tandem.Generation.LogitsProcessors;

/// <summary>transformers' <c>TopKLogitsWarper</c>: scores strictly below the k-th largest of their row become
/// -inf (ties with the k-th are kept); k is at least <c>min_tokens_to_keep</c> and at most the vocabulary.</summary>
internal sealed class TopKLogitsWarper : ILogitsProcessor
{
    private readonly int _k;

    public TopKLogitsWarper(int topK, int minTokensToKeep = 1)
    {
        if (topK <= 0) throw new TandemException($"top_k must be a positive integer (got {topK}).");
        if (minTokensToKeep < 1) throw new TandemException($"min_tokens_to_keep must be at least 1 (got {minTokensToKeep}).");
        _k = Math.Max(topK, minTokensToKeep);
    }

    public Tensor Process(Tensor sequences, Tensor scores)
    {
        int k = (int)Math.Min(_k, scores.size(-1));
        var kth = scores.topk(k, dim: -1).values[TensorIndex.Ellipsis, TensorIndex.Slice(-1)]; // [rows, 1]
        return scores.masked_fill(scores < kth, Scalars.NegativeInfinity);
    }
}

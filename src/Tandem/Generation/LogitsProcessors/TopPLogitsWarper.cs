using Tandem.Native;
using static TorchSharp.torch;

namespace Tandem.Generation.LogitsProcessors;

/// <summary>transformers' <c>TopPLogitsWarper</c>: scores sorted ascending; tokens whose cumulative softmax
/// probability is at most <c>1 - top_p</c> become -inf, always keeping the <c>min_tokens_to_keep</c> largest.</summary>
internal sealed class TopPLogitsWarper : ILogitsProcessor
{
    private readonly double _topP;
    private readonly int _minKeep;

    public TopPLogitsWarper(double topP, int minTokensToKeep = 1)
    {
        if (!(topP >= 0 && topP <= 1)) throw new TandemException($"top_p must be in [0, 1] (got {topP}).");
        if (minTokensToKeep < 1) throw new TandemException($"min_tokens_to_keep must be at least 1 (got {minTokensToKeep}).");
        _topP = topP;
        _minKeep = minTokensToKeep;
    }

    public Tensor Process(Tensor sequences, Tensor scores)
    {
        var (sorted, order) = scores.sort(-1, descending: false);                 // [rows, vocab] each
        var cumulative = sorted.softmax(-1).cumsum(-1);                            // [rows, vocab]
        var removeSorted = cumulative.Le(1 - _topP);                              // [rows, vocab] bool
        removeSorted[TensorIndex.Ellipsis, TensorIndex.Slice(-_minKeep)] = false;
        var remove = removeSorted.scatter(1, order, removeSorted);                 // [rows, vocab] bool
        return scores.masked_fill(remove, Scalars.NegativeInfinity);
    }
}

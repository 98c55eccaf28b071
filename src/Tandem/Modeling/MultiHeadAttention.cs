using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Modeling;

/// <summary>
/// The head bookkeeping and the fused product every family's attention shares: split a projection into heads,
/// run libtorch's <c>scaled_dot_product_attention</c> with an additive mask (cast for mixed precision), merge the
/// heads back. The projections themselves (BERT's query/key/value, GPT-2's c_attn) stay in each family.
/// </summary>
internal static class MultiHeadAttention
{
    /// <summary><paramref name="x"/> <c>[batch, len, heads * headDim]</c> as <c>[batch, heads, len, headDim]</c>.</summary>
    public static Tensor SplitHeads(Tensor x, int heads)
    {
        long batch = x.shape[0], len = x.shape[1], headDim = x.shape[2] / heads;
        return x.view(batch, len, heads, headDim).transpose(1, 2);                              // [batch, heads, len, headDim]
    }

    /// <summary>Attends from queries <paramref name="q"/> <c>[batch, heads, tgtLen, headDim]</c> to keys and values
    /// <c>[batch, heads, srcLen, headDim]</c> with the additive <paramref name="mask"/> <c>[batch, 1, tgtLen, srcLen]</c>
    /// (or null). Scores are scaled by <paramref name="scale"/>, 1/sqrt(headDim) when null. Returns the merged
    /// context <c>[batch, tgtLen, heads * headDim]</c>.</summary>
    public static Tensor Attend(Tensor q, Tensor k, Tensor v, Tensor? mask, double dropout, double? scale = null)
    {
        using var scope = NewDisposeScope();
        if (mask is not null && mask.dtype != q.dtype)
            mask = mask.clamp_min(AttentionMasks.MinValue(q.dtype)).to(q.dtype);                // mixed precision
        if (scale is { } s) q = q * (s * Math.Sqrt(q.shape[3]));                               // the fused kernel divides by sqrt(headDim)
        var context = nn.functional.scaled_dot_product_attention(q, k, v, mask, dropout);      // [batch, heads, tgt, headDim]
        long batch = q.shape[0], len = q.shape[2];
        return context.transpose(1, 2).reshape(batch, len, q.shape[1] * q.shape[3])            // [batch, tgt, hidden]
            .MoveToOuterDisposeScope();
    }
}

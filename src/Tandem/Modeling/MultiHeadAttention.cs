using TorchSharp;
using Tandem.Native;
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
        long batch = x.size(0), len = x.size(1), headDim = x.size(2) / heads;
        return x.view(batch, len, heads, headDim).transpose(1, 2);                              // [batch, heads, len, headDim]
    }

    /// <summary>Attends from queries <paramref name="q"/> <c>[batch, heads, tgtLen, headDim]</c> to keys and values
    /// <c>[batch, heads, srcLen, headDim]</c> with the additive <paramref name="mask"/> <c>[batch, 1, tgtLen, srcLen]</c>
    /// (or null). Scores are scaled by <paramref name="scale"/>, 1/sqrt(headDim) when null. Returns the merged
    /// context <c>[batch, tgtLen, heads * headDim]</c>.</summary>
    public static Tensor Attend(Tensor q, Tensor k, Tensor v, Tensor? mask, double dropout, double? scale = null)
    {
        using var scope = NewDisposeScope();
        if (q.dtype != k.dtype && k.dtype == ScalarType.Float32) q = q.to(ScalarType.Float32);  // a cache widened to float32 (KeyValueCache)
        long batch = q.size(0), len = q.size(2);
        bool cpu = q.device_type == TorchSharp.DeviceType.CPU;
        bool training = dropout > 0 || (is_grad_enabled() && (q.requires_grad || k.requires_grad || v.requires_grad));
        double factor = scale ?? 1.0 / Math.Sqrt(q.size(3));                                   // the scores' scale
        var context = cpu && training ? Explicit(q, k, v, mask, dropout, factor)
            : cpu && q.dtype == ScalarType.BFloat16 && len > 1 ? Bf16Products(q, k, v, mask, factor)
            : Fused(q, k, v, mask, dropout, scale);                                             // [batch, heads, tgt, headDim]
        return context.transpose(1, 2).reshape(batch, len, q.size(1) * q.size(3))            // [batch, tgt, hidden]
            .MoveToOuterDisposeScope();
    }

    static Tensor Fused(Tensor q, Tensor k, Tensor v, Tensor? mask, double dropout, double? scale)
    {
        if (mask is not null) mask = MaskIn(mask, q.dtype);                                      // mixed precision
        if (scale is { } s) q = q.Mul(s * Math.Sqrt(q.size(3)));                               // the fused kernel divides by sqrt(headDim)
        return nn.functional.scaled_dot_product_attention(q, k, v, mask, dropout);             // [batch, heads, tgt, headDim]
    }

    /// <summary>
    /// bf16 attention of several queries without gradients on the CPU (an encoder pass, a decoder's prompt): scores
    /// and the product with the values as bf16 products (oneDNN's), the mask added and the softmax taken on the bf16
    /// scores, as transformers' eager attention of a bf16 model does. libtorch's fused kernel multiplies bf16 blocks
    /// through MKL's mixed-precision product, which on this AMD CPU converts them and runs float32 products on their
    /// AVX2 path: the MiniLM-shaped encoder's bf16 pass over 32 x 128 tokens took 270-295 ms that way against
    /// 210-235 ms this way (alternating runs). libtorch's bf16 softmax computes in float32 and rounds once, so it
    /// gives the float32 softmax of the scores rounded to bf16 (equal bits in a test), without the passes that
    /// widened the scores, added a float32 mask and narrowed the probabilities: at 32 x 12 heads x 128 x 128 scores,
    /// 6.2-6.5 against 7.3-7.8 ms a layer. A single query (a cached decoding step) stays fused, in float32 against
    /// the cache's widened keys and values (<see cref="KeyValueCache"/>).
    /// </summary>
    static Tensor Bf16Products(Tensor q, Tensor k, Tensor v, Tensor? mask, double scale)
    {
        var scores = q.Mul(scale).matmul(k.transpose(-2, -1));                                   // [batch, heads, tgt, src], bf16
        if (mask is not null) scores = scores.AddInPlace(MaskIn(mask, scores.dtype));
        return scores.softmax(-1).matmul(v);                                                    // [batch, heads, tgt, headDim]
    }

    /// <summary>The additive <paramref name="mask"/> (or null) as the attention of this thread's products reads it:
    /// converted once, for all layers, to the matmul dtype of an active <see cref="Autocast"/> scope when no gradient
    /// is recorded (each layer's attention would convert it again, to the same values: two operations a layer and a
    /// mask at every decoding step); as given otherwise.</summary>
    public static Tensor? ForProducts(Tensor? mask) =>
        mask is not null && Autocast.Dtype is { } dt && !is_grad_enabled() ? MaskIn(mask, dt) : mask;

    /// <summary>The additive <paramref name="mask"/> in <paramref name="dtype"/>: when narrowing, its large negatives
    /// clamped to that dtype's lowest value first (float32's would round to minus infinity in bf16); when widening
    /// (a bf16 mask for a float32 attention), converted as it is; the mask itself when it is in it.</summary>
    static Tensor MaskIn(Tensor mask, ScalarType dtype) =>
        mask.dtype == dtype ? mask
            : AttentionMasks.MinValue(dtype) <= AttentionMasks.MinValue(mask.dtype) ? mask.to(dtype)
            : mask.ClampMin(AttentionMasks.MinValue(dtype)).to(dtype);

    /// <summary>
    /// Attention as a sequence of products, for training on the CPU: what libtorch's <c>scaled_dot_product_attention</c>
    /// falls back to there when there is dropout (its fused kernels take none), with the mask from
    /// <see cref="Dropout.Apply"/> instead of libtorch's element-at-a-time draws. Without dropout it serves training
    /// too: the fused kernel's backward pass made the MiniLM-shaped BERT2BERT's bf16 training step 100 ms slower
    /// (<c>bench/Tandem.Bench -- train</c>, 420 against 320 ms of backward). The two products run in the inputs' dtype
    /// (bf16 under a bf16 <see cref="Autocast"/> scope: oneDNN's bf16 kernels); the scores are widened to float32 for
    /// the mask, softmax and dropout (by the float32 mask's addition itself: one pass and one autograd node fewer than
    /// widening first, the same values and gradients), and the probabilities rounded once for the second product, as
    /// autocast computes attention in transformers' mixed-precision training. With float32 products (MKL's AVX2 path
    /// here) and the conversions of queries, keys and values that needed, the bf16 step took 6 % longer (524-586
    /// against 503-575 ms, six pairs alternating in one process, the same loss to four decimals). A Tandem kernel for
    /// the mask, softmax and dropout in one pass per row was measured and removed: the step with it, alternating in one
    /// process, came out faster in eight runs of ten on one day (21-48 ms in the median) and slower in nine of nine
    /// on the next (15-41 ms), this VM's phases deciding more than the kernel.
    /// </summary>
    static Tensor Explicit(Tensor q, Tensor k, Tensor v, Tensor? mask, double dropout, double scale)
    {
        var scores = q.Mul(scale).matmul(k.transpose(-2, -1));                                  // [batch, heads, tgt, src]
        scores = mask is null ? Autocast.Float(scores) : scores.Add(Autocast.Float(mask));      // a float32 mask widens bf16 scores as it adds
        var probabilities = scores.softmax(-1);
        if (dropout > 0) probabilities = Dropout.Apply(probabilities, dropout);
        return probabilities.to(q.dtype).matmul(v);                                             // [batch, heads, tgt, headDim]
    }
}

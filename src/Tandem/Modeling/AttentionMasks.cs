using TorchSharp;
using Tandem.Native;
using static TorchSharp.torch;

namespace Tandem.Modeling;

/// <summary>
/// Turns 0/1 attention masks into the additive masks attention adds to its scores, as transformers 4.40 does:
/// kept positions add 0, masked positions add <c>finfo(dtype).min</c> (not -10000).
/// </summary>
public static class AttentionMasks
{
    /// <summary>The most negative finite value of <paramref name="dtype"/>.</summary>
    public static double MinValue(ScalarType dtype) => dtype switch
    {
        ScalarType.Float16 => -65504.0,
        ScalarType.BFloat16 => -3.3895313892515355e38,
        ScalarType.Float64 => double.MinValue,
        _ => float.MinValue,
    };

    /// <summary>
    /// The self-attention mask, <c>[batch, 1, tgtLen, srcLen]</c>, additive.
    /// A 2-D padding mask <c>[batch, pastLen + tgtLen]</c> is broadcast over rows, and in decoder mode combined with
    /// a causal mask (each new token sees every cached token and the new tokens up to itself).
    /// A 3-D mask <c>[batch, tgtLen, srcLen]</c> is used as given, with no causal mask added.
    /// </summary>
    public static Tensor SelfAttention(Tensor mask, bool causal, long tgtLen, long pastLen, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        Tensor keep;
        if (mask.dim() == 3)
        {
            keep = mask.unsqueeze(1).to(dtype);                                        // [batch, 1, tgt, src]
        }
        else if (mask.dim() == 2)
        {
            keep = mask.unsqueeze(1).unsqueeze(1).to(dtype);                           // [batch, 1, 1, src]
            if (causal)
            {
                long src = mask.size(1);
                var rows = Scalars.Arange(pastLen, pastLen + tgtLen, device: mask.device).unsqueeze(1);  // [tgt, 1]
                var cols = Scalars.Arange(0, src, device: mask.device).unsqueeze(0);                    // [1, src]
                keep = keep * cols.le(rows).to(dtype).unsqueeze(0).unsqueeze(0);                  // [batch, 1, tgt, src]
            }
        }
        else throw new TandemException($"attention mask must be 2-D [batch, len] or 3-D [batch, from, to], got {mask.dim()}-D");
        return Invert(keep, dtype).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// GPT-2's self-attention mask, <c>[batch, 1, tgtLen, pastLen + tgtLen]</c>, additive: the causal bias and the
    /// padding bias of <paramref name="mask"/> <c>[batch, pastLen + tgtLen]</c> are added, as transformers' GPT-2
    /// does, so a key hidden by both gets <c>-inf</c>. Real queries see the same keys either way; a query that sees
    /// only padding (a left pad) attends evenly over the keys hidden by one of the two, which is what transformers
    /// computes there (it matters for the loss at a left pad predicting the first real token).
    /// </summary>
    public static Tensor CausalPlusPadding(Tensor mask, long tgtLen, long pastLen, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        long src = mask.size(1);
        var rows = Scalars.Arange(pastLen, pastLen + tgtLen, device: mask.device).unsqueeze(1);    // [tgt, 1]
        var cols = Scalars.Arange(0, src, device: mask.device).unsqueeze(0);                      // [1, src]
        var causal = Invert(cols.le(rows).to(dtype), dtype).unsqueeze(0).unsqueeze(0);             // [1, 1, tgt, src]
        var padding = Invert(mask.to(dtype), dtype).unsqueeze(1).unsqueeze(1);                     // [batch, 1, 1, src]
        return causal.Add(padding).MoveToOuterDisposeScope();                                       // [batch, 1, tgt, src]
    }

    /// <summary>The cross-attention mask <c>[batch, 1, 1, srcLen]</c> from the encoder's padding mask.</summary>
    public static Tensor CrossAttention(Tensor encoderMask, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var keep = encoderMask.dim() == 3 ? encoderMask.unsqueeze(1) : encoderMask.unsqueeze(1).unsqueeze(1);
        return Invert(keep.to(dtype), dtype).MoveToOuterDisposeScope();
    }

    static Tensor Invert(Tensor keep, ScalarType dtype)
    {
        using var dropped = Scalars.RSub(1.0, keep);
        return dropped.Mul(MinValue(dtype));
    }
}

using TorchSharp;
using Tandem.Kernels;
using Tandem.Native;
using static TorchSharp.torch;

namespace Tandem.Modeling;

/// <summary>Label handling shared by every seq2seq model: -100 marks positions the loss ignores.</summary>
public static class Seq2SeqLabels
{
    /// <summary>The label value the loss ignores.</summary>
    public const long IgnoreIndex = -100;

    /// <summary>Decoder inputs from labels, as transformers' <c>shift_tokens_right</c>: one position to the right,
    /// <paramref name="decoderStartTokenId"/> first, and -100 replaced by <paramref name="padTokenId"/>.</summary>
    public static Tensor ShiftTokensRight(Tensor labels, long padTokenId, long decoderStartTokenId)
    {
        using var scope = NewDisposeScope();
        var shifted = zeros_like(labels);                                                        // [batch, len]
        long len = labels.size(1);
        if (len > 1) shifted[.., 1..] = labels[.., ..(int)(len - 1)];
        shifted[.., 0] = decoderStartTokenId;
        return shifted.MaskedFill(shifted.Eq(IgnoreIndex), padTokenId).MoveToOuterDisposeScope();
    }

    /// <summary>Mean cross-entropy of <paramref name="logits"/> <c>[batch, len, vocab]</c> against
    /// <paramref name="labels"/> <c>[batch, len]</c> over positions whose label is not -100, computed in float32 (on the
    /// CPU by <see cref="FusedCrossEntropy"/>, from float32 or bf16 logits).</summary>
    public static Tensor Loss(Tensor logits, Tensor labels, double labelSmoothing = 0.0)
    {
        using var scope = NewDisposeScope();
        long vocab = logits.size(-1);
        var rows = logits.reshape(-1, vocab);                                                    // [batch * len, vocab]
        var targets = labels.reshape(-1);
        var loss = FusedCrossEntropy.TryLoss(rows, targets, IgnoreIndex, labelSmoothing)
            ?? nn.functional.cross_entropy(rows.to(ScalarType.Float32), targets, ignore_index: IgnoreIndex, label_smoothing: labelSmoothing);
        return loss.MoveToOuterDisposeScope();
    }
}

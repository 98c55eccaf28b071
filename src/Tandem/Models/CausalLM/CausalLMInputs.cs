using TorchSharp;
using Tandem.Modeling;
using Tandem.Native;
using static TorchSharp.torch;

namespace Tandem.Models.CausalLM;

/// <summary>What a decoder-only language model reads besides its ids, as transformers computes it for any causal
/// LM: position ids that skip left padding, and the loss on labels shifted inside the model.</summary>
public static class CausalLMInputs
{
    /// <summary>Position ids <c>[batch, len]</c> from a padding mask <c>[batch, len]</c> (1 = token), as
    /// transformers' <c>prepare_inputs_for_generation</c> (GPT-2 and other decoder-only models): <c>cumsum - 1</c>, so
    /// real tokens count 0, 1, ... from each row's first real token, and padding gets 1.</summary>
    public static Tensor PositionIds(Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        var mask = attentionMask.to(ScalarType.Int64);
        var positions = mask.cumsum(-1).Sub(1);                                                    // [batch, len]
        return positions.MaskedFill(mask.Eq(0), 1L).MoveToOuterDisposeScope();
    }

    /// <summary>The causal-LM loss: token t predicts label t + 1 (<c>logits[:, :-1]</c> against <c>labels[:, 1:]</c>),
    /// mean cross-entropy over labels that are not -100, as transformers' <c>*ForCausalLM</c> models compute it
    /// (with <paramref name="labelSmoothing"/>, as its Trainer's <c>label_smoothing_factor</c>).</summary>
    public static Tensor Loss(Tensor logits, Tensor labels, double labelSmoothing = 0.0)
    {
        using var scope = NewDisposeScope();
        long len = labels.size(1);
        var predicting = logits[.., ..(int)(len - 1), ..];                                      // [batch, len - 1, vocab]
        var next = labels[.., 1..];                                                             // [batch, len - 1]
        return Seq2SeqLabels.Loss(predicting, next, labelSmoothing).MoveToOuterDisposeScope();
    }
}

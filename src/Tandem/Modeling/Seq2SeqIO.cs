using static TorchSharp.torch;

namespace Tandem.Modeling;

/// <summary>Inputs of a seq2seq forward pass (teacher forcing).</summary>
public sealed class Seq2SeqInput
{
    /// <summary>Source ids <c>[batch, srcLen]</c>.</summary>
    public required Tensor InputIds { get; init; }
    /// <summary>Source padding mask <c>[batch, srcLen]</c>; all ones when null.</summary>
    public Tensor? AttentionMask { get; init; }
    /// <summary>Decoder inputs <c>[batch, tgtLen]</c>; made from <see cref="Labels"/> by
    /// <see cref="Seq2SeqLabels.ShiftTokensRight"/> when null.</summary>
    public Tensor? DecoderInputIds { get; init; }
    /// <summary>Decoder padding mask <c>[batch, tgtLen]</c>; when null only the causal mask applies (as in transformers).</summary>
    public Tensor? DecoderAttentionMask { get; init; }
    /// <summary>Target ids <c>[batch, tgtLen]</c> with -100 where the loss ignores a position.</summary>
    public Tensor? Labels { get; init; }
    /// <summary>Label smoothing of the loss (0 = none, as transformers).</summary>
    public double LabelSmoothing { get; init; }
}

/// <summary>Outputs of a seq2seq forward pass. Owns its tensors.</summary>
public sealed class Seq2SeqOutput : IDisposable
{
    /// <summary>Decoder logits <c>[batch, tgtLen, vocab]</c>.</summary>
    public required Tensor Logits { get; init; }
    /// <summary>Mean cross-entropy over labels that are not -100, when labels were given.</summary>
    public Tensor? Loss { get; init; }
    /// <summary>Encoder output <c>[batch, srcLen, hidden]</c>.</summary>
    public required Tensor EncoderLastHiddenState { get; init; }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        Logits.Dispose();
        Loss?.Dispose();
        EncoderLastHiddenState.Dispose();
    }
}

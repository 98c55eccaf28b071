using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Modeling;

/// <summary>Inputs of one <see cref="ICausalDecoder.Forward"/> call.</summary>
public sealed class DecoderInput
{
    /// <summary>Token ids <c>[batch, len]</c>, int64 (only the new ones when a cache holds the past).</summary>
    public required Tensor InputIds { get; init; }
    /// <summary>Padding mask <c>[batch, pastLen + len]</c> (1 = token); null: every position visible (plus the causal mask).</summary>
    public Tensor? AttentionMask { get; init; }
    /// <summary>Encoder output <c>[batch, srcLen, hidden]</c> for cross-attention; null for a decoder-only LM.</summary>
    public Tensor? EncoderHiddenStates { get; init; }
    /// <summary>Encoder padding mask <c>[batch, srcLen]</c>.</summary>
    public Tensor? EncoderAttentionMask { get; init; }
    /// <summary>Position ids <c>[batch, len]</c>; when null each family computes them as transformers does.</summary>
    public Tensor? PositionIds { get; init; }
    /// <summary>Key/value cache for incremental decoding; updated in place.</summary>
    public KeyValueCache? Cache { get; init; }
}

/// <summary>
/// The decoder half of a seq2seq model, or a decoder-only language model, whatever its family (BERT, RoBERTa,
/// GPT-2, ...): a causal stack with an LM head and, in a seq2seq model, cross-attention to the encoder.
/// </summary>
public interface ICausalDecoder
{
    /// <summary>The whole module (stack and LM head); its names are the checkpoint keys under <c>decoder.</c>.</summary>
    nn.Module Module { get; }

    /// <summary>The stack without its LM head (<c>bert</c>, <c>roberta</c>, <c>transformer</c>): the module whose
    /// parameters an encoder of the same family shares under <c>tie_encoder_decoder</c>.</summary>
    nn.Module Body { get; }

    /// <summary>Width of the hidden states (cross-attention reads encoder states of this width).</summary>
    long HiddenSize { get; }

    /// <summary>Rows of the output layer: every generated id is below it.</summary>
    int VocabSize { get; }

    /// <summary>Number of layers (one <see cref="KeyValueCache"/> slot each).</summary>
    int NumLayers { get; }

    /// <summary>Longest sequence the position embeddings allow.</summary>
    int MaxPositions { get; }

    /// <summary>Logits <c>[batch, len, vocab]</c>; with <paramref name="transposedOutputWeight"/> (from
    /// <see cref="TransposedOutputWeight"/>) the output product reads that copy. The caller owns the result.</summary>
    Tensor Forward(DecoderInput input, Tensor? transposedOutputWeight = null);

    /// <summary>The output weight transposed to <c>[hidden, vocab]</c>, contiguous, in the matmul dtype in force;
    /// decoding sessions keep one for their lifetime. The caller owns it.</summary>
    Tensor TransposedOutputWeight();
}

using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Modeling;

/// <summary>
/// The encoder half of a seq2seq model, whatever its family (BERT, RoBERTa, ...): token ids in, hidden states out.
/// <see cref="Models.EncoderDecoder.EncoderDecoderModel"/> holds one of these and never names the family.
/// </summary>
public interface ITextEncoder
{
    /// <summary>The module holding the encoder's parameters (its names are the checkpoint keys under <c>encoder.</c>).</summary>
    nn.Module Module { get; }

    /// <summary>Width of the hidden states.</summary>
    long HiddenSize { get; }

    /// <summary>Longest input the position embeddings allow.</summary>
    int MaxPositions { get; }

    /// <summary>Last hidden states <c>[batch, len, hidden]</c> for <paramref name="inputIds"/> <c>[batch, len]</c>
    /// with a 2-D padding mask (1 = token) or a 3-D mask used as given; the caller owns the result.</summary>
    Tensor Encode(Tensor inputIds, Tensor? attentionMask);
}

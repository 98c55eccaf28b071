using Tandem.Modeling;

namespace Tandem.Models;

/// <summary>How a family serves as a masked language model (<c>tandem pretrain</c>, <c>fill-mask</c>): its model
/// with the masked-LM head, how that model takes a folder's weights, and where its tokenizer's words begin.</summary>
public sealed class MaskedLMSupport
{
    /// <summary>A randomly initialised masked LM for a config (<c>is_decoder</c> false, no cross-attention).</summary>
    public required Func<IModelConfig, IMaskedLM> Create { get; init; }

    /// <summary>How it is loaded from one of the family's folders: a masked LM's, or a bare encoder's (then the head
    /// is new). <see cref="WarmStartLoading.ClassName"/> is transformers' class, written to <c>architectures</c>.</summary>
    public required WarmStartLoading Loading { get; init; }

    /// <summary>Whether a vocabulary token begins a word, for whole-word masking: a WordPiece token without
    /// <c>##</c>, a byte-level BPE token with <c>Ġ</c> (the space before it). A token after a special token always
    /// begins one.</summary>
    public required Func<string, bool> StartsWord { get; init; }
}

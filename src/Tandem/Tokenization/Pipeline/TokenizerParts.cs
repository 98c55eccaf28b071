namespace Tandem.Tokenization;

/// <summary>
/// The stages of a tokenizer as Hugging Face's tokenizers library orders them: added tokens are cut out of the text
/// first; each stretch between them is normalized, split into words, and each word is turned into ids by the
/// model; the post-processor template adds the special tokens. Decoding turns tokens back into text.
/// </summary>
internal sealed record TokenizerParts
{
    /// <summary>The model's vocabulary, token to id.</summary>
    public required IReadOnlyDictionary<string, int> Vocab { get; init; }

    /// <summary>The ids of one word (the model: BPE, WordPiece).</summary>
    public required Func<string, IEnumerable<int>> Model { get; init; }

    /// <summary>Rewrites text before it is split (lower case, accents…); null for none.</summary>
    public Func<string, string>? Normalizer { get; init; }

    /// <summary>Splits normalized text into words.</summary>
    public required Func<string, IEnumerable<string>> PreTokenizer { get; init; }

    /// <summary>Joins tokens back into text (byte-level, WordPiece's <c>##</c>).</summary>
    public required Func<IReadOnlyList<string>, string> Decoder { get; init; }

    /// <summary>The special tokens around one text or a pair.</summary>
    public required TokenTemplate Template { get; init; }

    /// <summary>Tokens matched whole before anything else (special tokens among them).</summary>
    public required AddedTokens Added { get; init; }

    /// <summary>The named special tokens (<c>bos_token</c>, <c>pad_token</c>, …) and settings of
    /// <c>tokenizer_config.json</c>.</summary>
    public required TokenizerConfig Config { get; init; }

    /// <summary>What kind of tokenizer this is, for people (e.g. "byte-level BPE").</summary>
    public required string Kind { get; init; }

    /// <summary>The files the tokenizer was read from, by name, written back unchanged by <c>SavePretrained</c>.</summary>
    public required IReadOnlyDictionary<string, byte[]> Files { get; init; }
}

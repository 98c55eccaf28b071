namespace Tandem.Tokenization;

/// <summary>How <see cref="ITokenizer.Encode(IReadOnlyList{string}, EncodeOptions?)"/> pads a batch.</summary>
public enum PaddingStrategy
{
    /// <summary>No padding: rows keep their own lengths.</summary>
    None,

    /// <summary>Pads every row to the longest row of the batch.</summary>
    Longest,

    /// <summary>Pads every row to <see cref="EncodeOptions.MaxLength"/> (or the model's maximum length).</summary>
    MaxLength,
}

/// <summary>Options of <see cref="ITokenizer.Encode(IReadOnlyList{string}, EncodeOptions?)"/>. Padding
/// always goes on the right.</summary>
public sealed record EncodeOptions
{
    /// <summary>Adds the tokenizer's special tokens (<c>[CLS] … [SEP]</c>, <c>&lt;s&gt; … &lt;/s&gt;</c>, none for
    /// GPT-2). Default true.</summary>
    public bool AddSpecialTokens { get; init; } = true;

    /// <summary>Longest row, special tokens included; null (the default) means the tokenizer's
    /// <see cref="ITokenizer.ModelMaxLength"/>, which may itself be null (no limit).</summary>
    public int? MaxLength { get; init; }

    /// <summary>Cuts rows longer than the maximum length (default true). Pairs are cut longest-first: one token at a
    /// time from the end of the longer sentence (the second on a tie), as Hugging Face's <c>longest_first</c>.</summary>
    public bool Truncation { get; init; } = true;

    /// <summary>How rows are padded; default <see cref="PaddingStrategy.Longest"/>.</summary>
    public PaddingStrategy Padding { get; init; } = PaddingStrategy.Longest;

    /// <summary>Allows texts that give no tokens (encoded as the special tokens alone); by default they are an error.</summary>
    public bool AllowEmpty { get; init; }
}

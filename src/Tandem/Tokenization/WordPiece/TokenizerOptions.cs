namespace Tandem.Tokenization;

/// <summary>
/// Settings of a <see cref="WordPieceTokenizer"/>, named after the keys of Hugging Face's
/// <c>tokenizer_config.json</c> for <c>BertTokenizer</c>. The defaults are those of <c>bert-base-uncased</c>.
/// </summary>
public sealed record TokenizerOptions
{
    /// <summary>Lower-cases the text before splitting it (<c>do_lower_case</c>, default true).</summary>
    public bool DoLowerCase { get; init; } = true;

    /// <summary>Removes accents (<c>strip_accents</c>); null (the default) follows <see cref="DoLowerCase"/>.</summary>
    public bool? StripAccents { get; init; }

    /// <summary>Puts every CJK ideograph in a word of its own (<c>tokenize_chinese_chars</c>, default true).</summary>
    public bool TokenizeChineseChars { get; init; } = true;

    /// <summary>The classification token that starts every sequence (<c>cls_token</c>).</summary>
    public string ClsToken { get; init; } = "[CLS]";

    /// <summary>The separator token that ends every sentence (<c>sep_token</c>).</summary>
    public string SepToken { get; init; } = "[SEP]";

    /// <summary>The padding token (<c>pad_token</c>).</summary>
    public string PadToken { get; init; } = "[PAD]";

    /// <summary>The token for words the vocabulary cannot spell (<c>unk_token</c>).</summary>
    public string UnkToken { get; init; } = "[UNK]";

    /// <summary>The masked-language-model token (<c>mask_token</c>).</summary>
    public string MaskToken { get; init; } = "[MASK]";

    /// <summary>Longest sequence the model takes, special tokens included (<c>model_max_length</c>); null for none.</summary>
    public int? ModelMaxLength { get; init; }
}

namespace Tandem.Tokenization;

/// <summary>
/// What the pipelines need from any tokenizer (WordPiece, byte-level BPE, a <c>tokenizer.json</c>): text to ids with
/// the model's special tokens, batches with attention masks, ids back to text as transformers decodes them, the
/// special-token ids, and saving the folder. <see cref="AutoTokenizer.FromPretrained"/> picks the implementation.
/// </summary>
public interface ITokenizer
{
    /// <summary>What kind of tokenizer this is, for people: "WordPiece", "byte-level BPE", "WordPiece (tokenizer.json)"…</summary>
    string Kind { get; }

    /// <summary>Number of ids the tokenizer can produce (the largest id plus one), added tokens included: the
    /// embedding matrix needs at least this many rows.</summary>
    int VocabSize { get; }

    /// <summary>Longest sequence the model takes (special tokens included), or null for no limit.</summary>
    int? ModelMaxLength { get; }

    /// <summary>Id of the beginning-of-sequence token (<c>bos_token</c>), or null when the tokenizer has none.</summary>
    int? BosTokenId { get; }

    /// <summary>Id of the end-of-sequence token (<c>eos_token</c>), or null.</summary>
    int? EosTokenId { get; }

    /// <summary>Id of the padding token (<c>pad_token</c>), or null (GPT-2 has none).</summary>
    int? PadTokenId { get; }

    /// <summary>Id of the unknown-word token (<c>unk_token</c>), or null.</summary>
    int? UnkTokenId { get; }

    /// <summary>Id of the classification token (<c>cls_token</c>), or null.</summary>
    int? ClsTokenId { get; }

    /// <summary>Id of the separator token (<c>sep_token</c>), or null.</summary>
    int? SepTokenId { get; }

    /// <summary>Id of the mask token (<c>mask_token</c>), or null.</summary>
    int? MaskTokenId { get; }

    /// <summary>Whether <paramref name="id"/> is a special token (what <c>skip_special_tokens</c> leaves out).</summary>
    /// <param name="id">A token id.</param>
    bool IsSpecial(long id);

    /// <summary>The id of <paramref name="token"/> (exact), or null when it is not in the vocabulary.</summary>
    /// <param name="token">A vocabulary entry as <see cref="ConvertIdsToTokens"/> spells it.</param>
    int? TokenToId(string token);

    /// <summary>The tokens of <paramref name="ids"/>, one per id (transformers' <c>convert_ids_to_tokens</c>).</summary>
    /// <param name="ids">Token ids.</param>
    /// <param name="skipSpecialTokens">Leaves out the special tokens.</param>
    IReadOnlyList<string> ConvertIdsToTokens(IEnumerable<long> ids, bool skipSpecialTokens = false);

    /// <summary>Ids of one text, with the model's special tokens (<c>[CLS] … [SEP]</c>, <c>&lt;s&gt; … &lt;/s&gt;</c>,
    /// none for GPT-2) when <paramref name="addSpecialTokens"/>; never truncated.</summary>
    /// <param name="text">The text.</param>
    /// <param name="addSpecialTokens">Adds the special tokens of the tokenizer's single-text template.</param>
    IReadOnlyList<int> EncodeToIds(string text, bool addSpecialTokens = true);

    /// <summary>Encodes a batch of single texts (see <see cref="EncodeOptions"/>).</summary>
    /// <param name="texts">The texts, one row each.</param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <exception cref="TandemException">A text gives no tokens (unless allowed), or the options conflict.</exception>
    BatchEncoding Encode(IReadOnlyList<string> texts, EncodeOptions? options = null);

    /// <summary>Encodes a batch of text pairs with the tokenizer's pair template (<c>[CLS] A [SEP] B [SEP]</c>,
    /// <c>&lt;s&gt; A &lt;/s&gt;&lt;/s&gt; B &lt;/s&gt;</c>).</summary>
    /// <param name="first">First texts, one row each.</param>
    /// <param name="second">Second texts, as many as <paramref name="first"/>.</param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <exception cref="TandemException">The lists differ in length, a text gives no tokens (unless allowed), or
    /// the options conflict.</exception>
    BatchEncoding Encode(IReadOnlyList<string> first, IReadOnlyList<string> second, EncodeOptions? options = null);

    /// <summary>Turns ids back into text as transformers' <c>decode</c> does.</summary>
    /// <param name="ids">Token ids.</param>
    /// <param name="skipSpecialTokens">Leaves out the special tokens.</param>
    /// <param name="cleanUpTokenizationSpaces">Removes the space before punctuation and English contractions
    /// (transformers' <c>clean_up_tokenization_spaces</c>); null follows the tokenizer's setting.</param>
    string Decode(IEnumerable<long> ids, bool skipSpecialTokens = true, bool? cleanUpTokenizationSpaces = null);

    /// <summary>Writes the tokenizer's files to <paramref name="dir"/> (created if needed), readable by
    /// transformers' <c>AutoTokenizer.from_pretrained</c> and by <see cref="AutoTokenizer.FromPretrained"/>.</summary>
    /// <param name="dir">The folder.</param>
    void SavePretrained(string dir);
}

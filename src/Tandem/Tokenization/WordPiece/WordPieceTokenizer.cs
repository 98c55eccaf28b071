using Ml = Microsoft.ML.Tokenizers;

namespace Tandem.Tokenization;

/// <summary>
/// A BERT WordPiece tokenizer that behaves as Hugging Face's <c>BertTokenizer</c>: it reads and writes the same
/// folder (<c>vocab.txt</c>, <c>tokenizer_config.json</c>, <c>special_tokens_map.json</c>), encodes batches with
/// special tokens, truncation and padding, and decodes ids back to text. Text is split into words here (as
/// transformers' <c>BasicTokenizer</c>); words are split into WordPiece pieces by Microsoft.ML.Tokenizers.
/// Special tokens written in the text (exact case, e.g. <c>[MASK]</c>) are kept as such. Immutable and thread-safe.
/// </summary>
public sealed class WordPieceTokenizer : ITokenizer
{
    private readonly Ml.BertTokenizer _inner;
    private readonly Vocabulary _vocab;
    private readonly TokenizerOptions _options;
    private readonly HashSet<int> _specialIds;
    private readonly BasicTokenizer _basic;
    private readonly AddedTokens _added;
    private readonly TokenTemplate _template;

    private WordPieceTokenizer(Ml.BertTokenizer inner, Vocabulary vocab, TokenizerOptions options)
    {
        _inner = inner;
        _vocab = vocab;
        _options = options;
        _basic = new BasicTokenizer(options.DoLowerCase, options.StripAccents ?? options.DoLowerCase, options.TokenizeChineseChars);
        ClsTokenId = SpecialId(options.ClsToken);
        SepTokenId = SpecialId(options.SepToken);
        PadTokenId = SpecialId(options.PadToken);
        UnkTokenId = SpecialId(options.UnkToken);
        MaskTokenId = SpecialId(options.MaskToken);
        _specialIds = [ClsTokenId, SepTokenId, PadTokenId, UnkTokenId, MaskTokenId];
        _template = TokenTemplate.Bert(ClsTokenId, SepTokenId);
        _added = new AddedTokens(new[] { options.ClsToken, options.SepToken, options.PadToken, options.UnkToken, options.MaskToken }
            .Select(t => new AddedToken(t, SpecialId(t), Special: true)));
    }

    /// <summary>Loads a Hugging Face tokenizer folder: <c>vocab.txt</c> (required), <c>tokenizer_config.json</c> and
    /// <c>special_tokens_map.json</c> (optional; missing settings take the <see cref="TokenizerOptions"/> defaults).</summary>
    /// <param name="dir">The folder.</param>
    /// <exception cref="TandemException">The folder has no <c>vocab.txt</c>, or a file is malformed.</exception>
    public static WordPieceTokenizer FromPretrained(string dir)
    {
        string vocabPath = Path.Combine(dir, PretrainedFiles.VocabFile);
        if (!File.Exists(vocabPath))
            throw new TandemException($"tokenizer file not found: {vocabPath}");
        return Create(vocabPath, PretrainedFiles.ReadOptions(dir));
    }

    /// <summary>Creates a tokenizer from a <c>vocab.txt</c> file.</summary>
    /// <param name="vocabPath">The vocabulary: one token a line, line <c>i</c> is id <c>i</c>.</param>
    /// <param name="options">Settings; null for the defaults of <c>bert-base-uncased</c>.</param>
    /// <exception cref="TandemException">The file is missing or lacks a special token.</exception>
    public static WordPieceTokenizer Create(string vocabPath, TokenizerOptions? options = null)
    {
        if (!File.Exists(vocabPath))
            throw new TandemException($"vocabulary file not found: {vocabPath}");
        using var stream = File.OpenRead(vocabPath);
        return Create(stream, options, vocabPath);
    }

    /// <summary>Creates a tokenizer from a <c>vocab.txt</c> read from <paramref name="vocab"/> (for example an
    /// embedded resource). The stream is read to its end and left open.</summary>
    /// <param name="vocab">The vocabulary text, UTF-8.</param>
    /// <param name="options">Settings; null for the defaults of <c>bert-base-uncased</c>.</param>
    /// <exception cref="TandemException">The vocabulary is empty or lacks a special token.</exception>
    public static WordPieceTokenizer Create(Stream vocab, TokenizerOptions? options = null) =>
        Create(vocab, options, "vocabulary stream");

    private static WordPieceTokenizer Create(Stream stream, TokenizerOptions? options, string source)
    {
        options ??= new TokenizerOptions();
        var vocab = Vocabulary.Read(stream, source);
        foreach (var token in new[] { options.ClsToken, options.SepToken, options.PadToken, options.UnkToken, options.MaskToken })
        {
            if (vocab.IdOf(token) is null)
                throw new TandemException($"special token {token} is not in {source}");
        }
        return new WordPieceTokenizer(CreateInner(vocab, options, source), vocab, options);
    }

    // Words come from BasicTokenizer, already normalized: ML.NET only splits them on spaces and runs WordPiece.
    private static Ml.BertTokenizer CreateInner(Vocabulary vocab, TokenizerOptions options, string source)
    {
        using var text = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(vocab.ToText()));
        try
        {
            return Ml.BertTokenizer.Create(text, new Ml.BertOptions
            {
                LowerCaseBeforeTokenization = false,
                RemoveNonSpacingMarks = false,
                IndividuallyTokenizeCjk = false,
                ApplyBasicTokenization = false,
                SplitOnSpecialTokens = false,
                ClassificationToken = options.ClsToken,
                SeparatorToken = options.SepToken,
                PaddingToken = options.PadToken,
                UnknownToken = options.UnkToken,
                MaskingToken = options.MaskToken,
            });
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new TandemException($"cannot build a WordPiece tokenizer from {source}: {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    public string Kind => "WordPiece";

    /// <summary>Number of tokens in the vocabulary.</summary>
    public int VocabSize => _vocab.Count;

    /// <summary>Id of <see cref="ClsToken"/>.</summary>
    public int ClsTokenId { get; }

    /// <summary>Id of <see cref="SepToken"/>.</summary>
    public int SepTokenId { get; }

    /// <summary>Id of <see cref="PadToken"/>.</summary>
    public int PadTokenId { get; }

    /// <summary>Id of <see cref="UnkToken"/>.</summary>
    public int UnkTokenId { get; }

    /// <summary>Id of <see cref="MaskToken"/>.</summary>
    public int MaskTokenId { get; }

    int? ITokenizer.BosTokenId => null;
    int? ITokenizer.EosTokenId => null;
    int? ITokenizer.PadTokenId => PadTokenId;
    int? ITokenizer.UnkTokenId => UnkTokenId;
    int? ITokenizer.ClsTokenId => ClsTokenId;
    int? ITokenizer.SepTokenId => SepTokenId;
    int? ITokenizer.MaskTokenId => MaskTokenId;

    /// <summary>The classification token, <c>[CLS]</c> by default.</summary>
    public string ClsToken => _options.ClsToken;

    /// <summary>The separator token, <c>[SEP]</c> by default.</summary>
    public string SepToken => _options.SepToken;

    /// <summary>The padding token, <c>[PAD]</c> by default.</summary>
    public string PadToken => _options.PadToken;

    /// <summary>The unknown-word token, <c>[UNK]</c> by default.</summary>
    public string UnkToken => _options.UnkToken;

    /// <summary>The mask token, <c>[MASK]</c> by default.</summary>
    public string MaskToken => _options.MaskToken;

    /// <summary>Longest sequence the model takes (special tokens included), or null for no limit.</summary>
    public int? ModelMaxLength => _options.ModelMaxLength;

    /// <summary>Whether text is lower-cased before splitting.</summary>
    public bool DoLowerCase => _options.DoLowerCase;

    /// <summary>Whether accents are removed; null follows <see cref="DoLowerCase"/>.</summary>
    public bool? StripAccents => _options.StripAccents;

    /// <summary>Whether CJK ideographs become words of their own.</summary>
    public bool TokenizeChineseChars => _options.TokenizeChineseChars;

    /// <summary>The id of <paramref name="token"/> (exact, case-sensitive), or null when it is not in the vocabulary.</summary>
    /// <param name="token">A vocabulary entry, for example <c>"hello"</c> or <c>"##ing"</c>.</param>
    public int? TokenToId(string token) => _vocab.IdOf(token);

    /// <summary>The token with id <paramref name="id"/>; an id outside the vocabulary gives <see cref="UnkToken"/>
    /// (as transformers' <c>convert_ids_to_tokens</c>).</summary>
    /// <param name="id">A token id.</param>
    public string IdToToken(int id) => _vocab.TokenOf(id) ?? UnkToken;

    /// <summary>The tokens of <paramref name="ids"/>, one per id.</summary>
    /// <param name="ids">Token ids.</param>
    /// <param name="skipSpecialTokens">Leaves out the special tokens (CLS, SEP, PAD, UNK, MASK).</param>
    public IReadOnlyList<string> ConvertIdsToTokens(IEnumerable<long> ids, bool skipSpecialTokens = false) =>
        ids.Where(id => !(skipSpecialTokens && IsSpecial(id)))
           .Select(id => id is >= 0 and <= int.MaxValue ? IdToToken((int)id) : UnkToken)
           .ToList();

    /// <summary>Ids of one text, with <c>[CLS] … [SEP]</c> when <paramref name="addSpecialTokens"/>; never truncated.</summary>
    /// <param name="text">The text; empty text gives no ids (or only the special tokens).</param>
    /// <param name="addSpecialTokens">Adds <c>[CLS]</c> and <c>[SEP]</c>.</param>
    public IReadOnlyList<int> EncodeToIds(string text, bool addSpecialTokens = true)
    {
        var ids = Pieces(text);
        return addSpecialTokens ? [ClsTokenId, .. ids, SepTokenId] : ids;
    }

    /// <inheritdoc/>
    public BatchEncoding Encode(IReadOnlyList<string> texts, EncodeOptions? options = null) =>
        BatchBuilder.Encode(Pieces, _template, PadTokenId, ModelMaxLength, texts, null, options);

    /// <summary>Encodes a batch of sentence pairs: <c>[CLS] first [SEP] second [SEP]</c>, token types 0 then 1.</summary>
    /// <param name="first">First sentences, one row each.</param>
    /// <param name="second">Second sentences, as many as <paramref name="first"/>.</param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <exception cref="TandemException">The lists differ in length, a text gives no tokens (unless allowed), or
    /// the options conflict.</exception>
    public BatchEncoding Encode(IReadOnlyList<string> first, IReadOnlyList<string> second, EncodeOptions? options = null) =>
        BatchBuilder.Encode(Pieces, _template, PadTokenId, ModelMaxLength, first, second, options);

    /// <summary>Turns ids back into text as transformers' <c>decode</c> with
    /// <c>clean_up_tokenization_spaces=True</c>: <c>##</c> pieces join the previous word, words are separated by
    /// spaces, and spaces before punctuation and English contractions are removed.</summary>
    /// <param name="ids">Token ids.</param>
    /// <param name="skipSpecialTokens">Leaves out the special tokens (CLS, SEP, PAD, UNK, MASK), as transformers.</param>
    /// <param name="cleanUpTokenizationSpaces">Removes the spaces before punctuation and contractions; null (the
    /// default) and true do, as transformers' default.</param>
    public string Decode(IEnumerable<long> ids, bool skipSpecialTokens = true, bool? cleanUpTokenizationSpaces = null) =>
        TextDecoder.Decode(ConvertIdsToTokens(ids, skipSpecialTokens), TextDecoder.ContinuationPrefix, cleanUpTokenizationSpaces ?? true);

    /// <summary>Writes <c>vocab.txt</c> (same order), <c>tokenizer_config.json</c> and <c>special_tokens_map.json</c>
    /// to <paramref name="dir"/> (created if needed), readable by transformers' <c>AutoTokenizer.from_pretrained</c>.</summary>
    /// <param name="dir">The folder.</param>
    public void SavePretrained(string dir)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, PretrainedFiles.VocabFile), _vocab.ToText(), new System.Text.UTF8Encoding(false));
        PretrainedFiles.WriteConfig(Path.Combine(dir, PretrainedFiles.ConfigFile), this);
        PretrainedFiles.WriteSpecialTokensMap(Path.Combine(dir, PretrainedFiles.SpecialTokensFile), this);
    }

    /// <inheritdoc/>
    public bool IsSpecial(long id) => id is >= 0 and <= int.MaxValue && _specialIds.Contains((int)id);

    private int SpecialId(string token) => _vocab.IdOf(token) ?? throw new TandemException($"special token {token} is not in the vocabulary");

    private List<int> Pieces(string text)
    {
        var ids = new List<int>();
        _added.Split(text, part =>
        {
            var words = _basic.Split(part);
            if (words.Count > 0)
                ids.AddRange(_inner.EncodeToIds(string.Join(' ', words), addSpecialTokens: false,
                    considerPreTokenization: true, considerNormalization: false));
        }, token => ids.Add(token.Id));
        return ids;
    }
}

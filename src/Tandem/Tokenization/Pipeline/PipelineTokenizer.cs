namespace Tandem.Tokenization;

/// <summary>
/// A tokenizer assembled from the stages of Hugging Face's tokenizers library (added tokens, normalizer,
/// pre-tokenizer, model, post-processor, decoder): what <see cref="AutoTokenizer"/> builds from a
/// <c>tokenizer.json</c> or from a byte-level BPE's <c>vocab.json</c> + <c>merges.txt</c>. The word models are
/// Microsoft.ML.Tokenizers'. <see cref="SavePretrained"/> writes back the files it was read from. Immutable and
/// thread-safe.
/// </summary>
public sealed class PipelineTokenizer : ITokenizer
{
    private readonly TokenizerParts _parts;
    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;
    private readonly HashSet<int> _special;

    internal PipelineTokenizer(TokenizerParts parts)
    {
        _parts = parts;
        _ids = new Dictionary<string, int>(parts.Vocab, StringComparer.Ordinal);
        foreach (var t in parts.Added.All)
            _ids[t.Content] = t.Id;
        _tokens = new string[_ids.Count == 0 ? 0 : _ids.Values.Max() + 1];
        foreach (var (token, id) in parts.Vocab)
            _tokens[id] = token;
        foreach (var t in parts.Added.All)
            _tokens[t.Id] = t.Content;
        int? Named(string key) => parts.Config.Token(key) is string t && _ids.TryGetValue(t, out int id) ? id : null;
        BosTokenId = Named("bos_token");
        EosTokenId = Named("eos_token");
        UnkTokenId = Named("unk_token");
        SepTokenId = Named("sep_token");
        PadTokenId = Named("pad_token");
        ClsTokenId = Named("cls_token");
        MaskTokenId = Named("mask_token");
        _special = [.. parts.Added.All.Where(t => t.Special).Select(t => t.Id),
            .. new[] { BosTokenId, EosTokenId, UnkTokenId, SepTokenId, PadTokenId, ClsTokenId, MaskTokenId }.OfType<int>()];
    }

    /// <inheritdoc/>
    public string Kind => _parts.Kind;

    /// <inheritdoc/>
    public int VocabSize => _tokens.Length;

    /// <summary>The files the tokenizer was read from, by name.</summary>
    internal IReadOnlyDictionary<string, byte[]> Files => _parts.Files;

    /// <inheritdoc/>
    public int? ModelMaxLength => _parts.Config.ModelMaxLength;

    /// <inheritdoc/>
    public int? BosTokenId { get; }

    /// <inheritdoc/>
    public int? EosTokenId { get; }

    /// <inheritdoc/>
    public int? PadTokenId { get; }

    /// <inheritdoc/>
    public int? UnkTokenId { get; }

    /// <inheritdoc/>
    public int? ClsTokenId { get; }

    /// <inheritdoc/>
    public int? SepTokenId { get; }

    /// <inheritdoc/>
    public int? MaskTokenId { get; }

    /// <inheritdoc/>
    public bool IsSpecial(long id) => id is >= 0 and <= int.MaxValue && _special.Contains((int)id);

    /// <inheritdoc/>
    public int? TokenToId(string token) => _ids.TryGetValue(token, out int id) ? id : null;

    /// <inheritdoc/>
    public IReadOnlyList<string> ConvertIdsToTokens(IEnumerable<long> ids, bool skipSpecialTokens = false) =>
        ids.Where(id => !(skipSpecialTokens && IsSpecial(id))).Select(TokenOf).ToList();

    /// <inheritdoc/>
    public IReadOnlyList<int> EncodeToIds(string text, bool addSpecialTokens = true) =>
        _parts.Template.Apply(Pieces(text), null, addSpecialTokens).Ids.Select(id => (int)id).ToList();

    /// <inheritdoc/>
    public BatchEncoding Encode(IReadOnlyList<string> texts, EncodeOptions? options = null) =>
        BatchBuilder.Encode(Pieces, _parts.Template, PadTokenId, ModelMaxLength, texts, null, options);

    /// <inheritdoc/>
    public BatchEncoding Encode(IReadOnlyList<string> first, IReadOnlyList<string> second, EncodeOptions? options = null) =>
        BatchBuilder.Encode(Pieces, _parts.Template, PadTokenId, ModelMaxLength, first, second, options);

    /// <inheritdoc/>
    public string Decode(IEnumerable<long> ids, bool skipSpecialTokens = true, bool? cleanUpTokenizationSpaces = null)
    {
        string text = _parts.Decoder(ConvertIdsToTokens(ids, skipSpecialTokens));
        return cleanUpTokenizationSpaces ?? _parts.Config.CleanUpTokenizationSpaces ? TextDecoder.CleanUp(text) : text;
    }

    /// <summary>Writes the files the tokenizer was read from, unchanged.</summary>
    /// <param name="dir">The folder (created if needed).</param>
    public void SavePretrained(string dir)
    {
        Directory.CreateDirectory(dir);
        foreach (var (name, bytes) in _parts.Files)
            File.WriteAllBytes(Path.Combine(dir, name), bytes);
    }

    // An id outside the vocabulary reads as the unknown token (or empty when there is none), as transformers.
    private string TokenOf(long id) =>
        id >= 0 && id < _tokens.Length && _tokens[id] is string t ? t : UnkTokenId is int u ? _tokens[u] : "";

    private List<int> Pieces(string text)
    {
        var ids = new List<int>();
        _parts.Added.Split(text, part =>
        {
            if (part.Length == 0)
                return;
            string normalized = _parts.Normalizer?.Invoke(part) ?? part;
            foreach (var word in _parts.PreTokenizer(normalized))
                ids.AddRange(_parts.Model(word));
        }, token => ids.Add(token.Id));
        return ids;
    }
}

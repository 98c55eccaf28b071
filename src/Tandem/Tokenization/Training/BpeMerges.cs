namespace Tandem.Tokenization.Training;

/// <summary>
/// The merge loop every subword-vocabulary trainer shares (BPE as Sennrich et al. and Hugging Face's tokenizers
/// train it; WordPiece vocabularies are trained the same way with a continuing-subword prefix): words with their
/// counts, each a sequence of symbols; the most frequent adjacent pair is merged into a new symbol, again and again,
/// until the vocabulary has its size or no pair is frequent enough. Ties go to the pair of earlier symbols, so the
/// result is deterministic. Pair counts are updated incrementally and the best pair is kept in a priority queue, so
/// each merge costs time in the words it touches, not in the whole corpus.
/// </summary>
internal sealed class BpeMerges
{
    readonly List<string> _symbols;
    readonly Dictionary<string, int> _ids;
    readonly List<int[]> _words = [];
    readonly List<long> _counts = [];
    readonly Dictionary<(int A, int B), long> _pairCounts = [];
    readonly Dictionary<(int A, int B), HashSet<int>> _where = [];
    readonly PriorityQueue<(int A, int B), (long NegCount, int A, int B)> _queue = new();
    readonly Func<string, string, string> _join;

    /// <param name="initial">The symbols the vocabulary starts with (special tokens, the alphabet), in id order.</param>
    /// <param name="join">How two symbols make the merged one (WordPiece drops the second's <c>##</c>).</param>
    public BpeMerges(IEnumerable<string> initial, Func<string, string, string> join)
    {
        _symbols = [];
        _ids = new(StringComparer.Ordinal);
        foreach (var s in initial) Add(s);
        _join = join;
    }

    /// <summary>Every symbol, in id order: the initial ones, then each merge's result.</summary>
    public IReadOnlyList<string> Symbols => _symbols;

    /// <summary>The merges done, in order (the lines of a <c>merges.txt</c>).</summary>
    public List<(string A, string B)> Merges { get; } = [];

    int Add(string symbol)
    {
        if (_ids.TryGetValue(symbol, out var id)) return id;
        _ids[symbol] = _symbols.Count;
        _symbols.Add(symbol);
        return _symbols.Count - 1;
    }

    /// <summary>Adds a word (its symbols, added to the vocabulary where new) seen <paramref name="count"/> times.</summary>
    public void AddWord(IEnumerable<string> symbols, long count)
    {
        var ids = symbols.Select(Add).ToArray();
        int w = _words.Count;
        _words.Add(ids);
        _counts.Add(count);
        for (int i = 0; i + 1 < ids.Length; i++) Count((ids[i], ids[i + 1]), count, w);
    }

    void Count((int A, int B) pair, long delta, int word)
    {
        long c = _pairCounts.GetValueOrDefault(pair) + delta;
        if (c <= 0) { _pairCounts.Remove(pair); return; }
        _pairCounts[pair] = c;
        if (delta > 0)
        {
            if (!_where.TryGetValue(pair, out var set)) _where[pair] = set = [];
            set.Add(word);
        }
        _queue.Enqueue(pair, (-c, pair.A, pair.B));
    }

    /// <summary>Merges until <paramref name="vocabSize"/> symbols exist or the best pair occurs fewer than
    /// <paramref name="minFrequency"/> times; <paramref name="progress"/> gets the vocabulary size now and then.</summary>
    public void Run(int vocabSize, long minFrequency, IProgress<int>? progress = null)
    {
        while (_symbols.Count < vocabSize && _queue.TryDequeue(out var pair, out var key))
        {
            if (_pairCounts.GetValueOrDefault(pair) != -key.NegCount) continue;          // stale entry
            if (-key.NegCount < minFrequency) break;
            var merged = _join(_symbols[pair.A], _symbols[pair.B]);
            int before = _symbols.Count;
            int id = Add(merged);
            Merges.Add((_symbols[pair.A], _symbols[pair.B]));
            foreach (var w in _where[pair].ToArray()) Replace(w, pair, id);
            _pairCounts.Remove(pair);
            _where.Remove(pair);
            if (_symbols.Count != before && _symbols.Count % 500 == 0) progress?.Report(_symbols.Count);
        }
        progress?.Report(_symbols.Count);
    }

    /// <summary>Rewrites word <paramref name="w"/> with every occurrence of <paramref name="pair"/> merged into
    /// <paramref name="id"/>, moving the counts of the pairs around each occurrence.</summary>
    void Replace(int w, (int A, int B) pair, int id)
    {
        var old = _words[w];
        long count = _counts[w];
        for (int i = 0; i + 1 < old.Length; i++) Count((old[i], old[i + 1]), -count, w);
        var updated = new List<int>(old.Length);
        for (int i = 0; i < old.Length; i++)
        {
            if (i + 1 < old.Length && old[i] == pair.A && old[i + 1] == pair.B) { updated.Add(id); i++; }
            else updated.Add(old[i]);
        }
        var ids = updated.ToArray();
        _words[w] = ids;
        for (int i = 0; i + 1 < ids.Length; i++) Count((ids[i], ids[i + 1]), count, w);
    }
}

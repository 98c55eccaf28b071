using Tandem.Generation;
using Tandem.Tokenization;

namespace Tandem.Tasks.Sql;

/// <summary>
/// Schema-aware decoding for one database (a <see cref="PrefixAllowedTokensFn"/>): where the SQL written so far
/// calls for a table (after <c>FROM</c>, <c>JOIN</c>, or a comma in a <c>FROM</c> list) only the word pieces that
/// spell one of the database's tables (or <c>(</c> for a subquery) may come next, and after <c>alias.</c> only
/// those that spell one of its columns (or <c>*</c>); once a name is complete it may not run on into a longer one
/// the database lacks (<c>_</c> or <c>##</c> pieces) or be qualified by a <c>.</c> into a name it lacks
/// (<c>FROM river.population</c>). Everything else, and everything inside a string literal, is
/// left to the model. Names are matched as the tokenizer splits them (<c>border_info</c> -> <c>border _ info</c>),
/// so the constraint holds for any WordPiece model and any SQLite file; it does not check that a column belongs to
/// the table its alias names (in SQL the alias comes after the column list).
/// </summary>
public sealed class SqlSchemaConstraint
{
    static readonly HashSet<string> ClauseWords =
        ["select", "where", "group", "order", "having", "limit", "on", "union", "intersect", "except", "using"];

    readonly WordPieceTokenizer _tokenizer;
    readonly HashSet<long> _dropped;
    readonly Node _tables;
    readonly Node _columns;
    readonly int[] _continuations;                          // what would run a complete name on: ##pieces, _ and .
    readonly HashSet<string> _tableNames;
    readonly Dictionary<long, AllowedTokens> _afterKeyword = [];

    /// <summary>A constraint for <paramref name="schema"/> as <paramref name="tokenizer"/> spells its names.</summary>
    public SqlSchemaConstraint(DatabaseSchema schema, WordPieceTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(schema);
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        _dropped = [tokenizer.ClsTokenId, tokenizer.PadTokenId, tokenizer.MaskTokenId, tokenizer.UnkTokenId];   // the SQL text skips them
        _tables = Build(schema.Tables.Select(t => t.Name), "(");
        _columns = Build(schema.Tables.SelectMany(t => t.Columns).Select(c => c.Name), "*");
        if (_tables.Children.Count == 0) throw new TandemException("the database has no tables whose names the tokenizer can spell");
        _continuations = Enumerable.Range(0, tokenizer.VocabSize)
            .Where(id => tokenizer.IdToToken(id) is var t && (t is "_" or "." || IsPiece(t)))
            .ToArray();
        _tableNames = new(schema.Tables.Select(t => t.Name), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The tokens that may follow <paramref name="sequence"/> (decoder start token first), or null where
    /// the SQL so far calls for no name of the database (or the row has ended).</summary>
    public AllowedTokens? Next(int inputIndex, long[] sequence)
    {
        // [SEP] ends the row. [CLS], [PAD] and [MASK] never reach the SQL text (SqlAsker.ToSql skips special tokens,
        // gluing the pieces around them), so the scan reads past them: a name cannot run on into pieces through them.
        var kept = new List<long>(sequence.Length);
        for (int i = 1; i < sequence.Length; i++)
        {
            if (sequence[i] == _tokenizer.SepTokenId) return null;
            if (!_dropped.Contains(sequence[i])) kept.Add(sequence[i]);
        }
        var scan = new Scan(this);
        for (int i = 0; i < kept.Count; i++) scan.Add(kept[i], i + 1 < kept.Count ? kept[i + 1] : null);
        var node = scan.Node;
        if (node is null) return null;
        if (node == _tables && scan.KeywordLast is long keyword) return AfterKeyword(keyword);
        return node.Allowed ??= node.Terminal
            ? AllowedTokens.AllBut(_continuations.Where(t => !node.Children.ContainsKey(t)).ToArray())
            : AllowedTokens.Only(node.Children.Keys.Select(k => (int)k).ToArray());
    }

    /// <summary>After FROM or JOIN: a table, or the rest of a name of the database that starts with that word
    /// (a column <c>from_date</c> written without a qualifier).</summary>
    AllowedTokens AfterKeyword(long keyword)
    {
        if (_afterKeyword.TryGetValue(keyword, out var allowed)) return allowed;
        var rest = new[] { _tables, _columns }.SelectMany(t => t.Children.TryGetValue(keyword, out var n) ? n.Children.Keys : Enumerable.Empty<long>());
        return _afterKeyword[keyword] = AllowedTokens.Only([.. _tables.Children.Keys.Concat(rest).Distinct().Select(k => (int)k)]);
    }

    static bool IsPiece(string token) => token.StartsWith("##", StringComparison.Ordinal);

    /// <summary>One left-to-right pass over a row's tokens: string literals, parenthesis depth, the clause at each
    /// depth, whole words (pieces and <c>_</c> glued, as <see cref="SqlDetokenizer"/> joins them), the aliases bound
    /// to tables in FROM lists, and the name being spelled, if any.</summary>
    sealed class Scan(SqlSchemaConstraint owner)
    {
        readonly Stack<string> _clauses = new([""]);
        readonly HashSet<string> _bound = new(StringComparer.OrdinalIgnoreCase);
        string _word = "", _lastWord = "", _prevToken = "", _quote = "";
        bool _inQuote, _afterTable, _withCte;
        Node? _root;                                               // the trie of the name being spelled

        /// <summary>The trie node of the name being spelled; null when none is called for.</summary>
        public Node? Node { get; private set; }
        /// <summary>The last token, when it is the keyword that called for a table.</summary>
        public long? KeywordLast { get; private set; }

        public void Add(long id, long? next)
        {
            var token = owner._tokenizer.IdToToken((int)id);
            bool glued = IsPiece(token) || token == "_" || (_prevToken == "_" && _word.Length > 0);
            if (!glued) EndWord();
            _word += IsPiece(token) ? token[2..] : token;
            _prevToken = token;
            KeywordLast = null;
            if (Node is not null)
            {
                bool inName = Node.Children.TryGetValue(id, out var child);
                if (inName && !child!.Free) { Node = child; return; }
                if (Node.Terminal && ReferenceEquals(_root, owner._tables)) _afterTable = true;
                Node = _root = null;                               // the name ended here (or none started)
            }
            if (_inQuote)
            {
                if (token == _quote) _inQuote = false;
                return;
            }
            if (token is "\"" or "'")
            {
                _inQuote = true;
                _quote = token;
                return;
            }
            var nextToken = next is long n ? owner._tokenizer.IdToToken((int)n) : null;
            bool wholeWord = !glued && !(nextToken is not null && (IsPiece(nextToken) || nextToken == "_"));
            switch (wholeWord ? token.ToLowerInvariant() : "")
            {
                case "(": _clauses.Push(""); break;
                case ")": if (_clauses.Count > 1) _clauses.Pop(); break;
                case "with": _withCte = true; break;
                case "from" or "join":
                    SetClause("from");
                    Start(owner._tables);
                    KeywordLast = Node is not null ? id : null;
                    break;
                case ",": if (_clauses.Peek() == "from") Start(owner._tables); break;
                case ".": if (IsTableOrBound(_lastWord)) Start(owner._columns); break;
                case var w when ClauseWords.Contains(w): SetClause(w); break;
            }
        }

        void Start(Node root)
        {
            if (ReferenceEquals(root, owner._tables) && _withCte) return;   // a CTE's name is a table too
            Node = _root = root;
        }

        void SetClause(string clause)
        {
            _clauses.Pop();
            _clauses.Push(clause);
        }

        void EndWord()
        {
            if (_word.Length == 0) return;
            if (_afterTable && !_inQuote)
            {
                var w = _word.ToLowerInvariant();
                if (w != "as")
                {
                    if (char.IsLetter(w[0]) && !ClauseWords.Contains(w) && w is not ("join" or "inner" or "left" or "natural" or "cross" or "outer"))
                        _bound.Add(_word);
                    _afterTable = false;
                }
            }
            _lastWord = _word;
            _word = "";
        }

        /// <summary>Whether the qualifier before a dot is a table of the database or an alias bound to one so far
        /// (an alias bound later, such as a derived table's, leaves the column free).</summary>
        bool IsTableOrBound(string word) =>
            word.Length > 0 && (_bound.Contains(word) || owner._tableNames.Contains(word));
    }

    /// <summary>A trie over the token ids of <paramref name="names"/>; <paramref name="extra"/> (one token) may also
    /// start, and ends the constraint. Names with a piece the vocabulary lacks are left out: no model can write them.</summary>
    Node Build(IEnumerable<string> names, string extra)
    {
        var root = new Node();
        foreach (var name in names.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var ids = _tokenizer.EncodeToIds(name, addSpecialTokens: false);
            if (ids.Count == 0 || ids.Contains(_tokenizer.UnkTokenId)) continue;
            var node = root;
            foreach (var id in ids)
            {
                if (!node.Children.TryGetValue(id, out var child)) node.Children[id] = child = new Node();
                node = child;
            }
            node.Terminal = true;
        }
        if (_tokenizer.TokenToId(extra) is int e && !root.Children.ContainsKey(e)) root.Children[e] = new Node { Free = true };
        return root;
    }

    sealed class Node
    {
        public Dictionary<long, Node> Children { get; } = [];
        public bool Terminal { get; set; }
        /// <summary>The extra token of the root: nothing is constrained after it.</summary>
        public bool Free { get; set; }
        public AllowedTokens? Allowed { get; set; }
    }
}

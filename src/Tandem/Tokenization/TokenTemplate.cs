namespace Tandem.Tokenization;

/// <summary>
/// Where a tokenizer puts its special tokens around one text or a pair, and the token type of each part: the
/// post-processor of Hugging Face's tokenizers (<c>TemplateProcessing</c>, <c>BertProcessing</c>,
/// <c>RobertaProcessing</c>). A piece is a special token id, or the text <c>A</c> / <c>B</c>.
/// </summary>
internal sealed class TokenTemplate
{
    /// <summary>One piece of a template: a special token (<see cref="TokenId"/>) or a text slot (<see cref="Slot"/>
    /// 0 for A, 1 for B), with its token type.</summary>
    public readonly record struct Piece(int? TokenId, int Slot, int TypeId);

    private TokenTemplate(IReadOnlyList<Piece> single, IReadOnlyList<Piece> pair)
    {
        Single = single;
        Pair = pair;
    }

    /// <summary>The template of one text.</summary>
    public IReadOnlyList<Piece> Single { get; }

    /// <summary>The template of a pair.</summary>
    public IReadOnlyList<Piece> Pair { get; }

    /// <summary>No special tokens (GPT-2): a pair is the two texts one after the other.</summary>
    public static TokenTemplate None { get; } = new([Text(0, 0)], [Text(0, 0), Text(1, 0)]);

    /// <summary><c>[CLS] A [SEP]</c> and <c>[CLS] A [SEP] B [SEP]</c>, token type 1 from B on (BERT).</summary>
    public static TokenTemplate Bert(int cls, int sep) =>
        new([Token(cls, 0), Text(0, 0), Token(sep, 0)],
            [Token(cls, 0), Text(0, 0), Token(sep, 0), Text(1, 1), Token(sep, 1)]);

    /// <summary><c>&lt;s&gt; A &lt;/s&gt;</c> and <c>&lt;s&gt; A &lt;/s&gt;&lt;/s&gt; B &lt;/s&gt;</c>, token type 0
    /// everywhere (RoBERTa).</summary>
    public static TokenTemplate Roberta(int cls, int sep) =>
        new([Token(cls, 0), Text(0, 0), Token(sep, 0)],
            [Token(cls, 0), Text(0, 0), Token(sep, 0), Token(sep, 0), Text(1, 0), Token(sep, 0)]);

    /// <summary>A template from its pieces (as <c>TemplateProcessing</c> lists them).</summary>
    public static TokenTemplate Of(IReadOnlyList<Piece> single, IReadOnlyList<Piece> pair) => new(single, pair);

    /// <summary>A special-token piece.</summary>
    public static Piece Token(int id, int type) => new(id, 0, type);

    /// <summary>A text piece: slot 0 is A, 1 is B.</summary>
    public static Piece Text(int slot, int type) => new(null, slot, type);

    /// <summary>How many special tokens the template adds to one text, or to a pair.</summary>
    public int SpecialCount(bool pair) => (pair ? Pair : Single).Count(p => p.TokenId is not null);

    /// <summary>The ids and token types of <paramref name="a"/> (and <paramref name="b"/>) with the template's special
    /// tokens, or the texts alone one after the other when <paramref name="addSpecialTokens"/> is false.</summary>
    public (long[] Ids, long[] Types) Apply(IReadOnlyList<int> a, IReadOnlyList<int>? b, bool addSpecialTokens)
    {
        var pieces = b is null ? Single : Pair;
        var ids = new List<long>(a.Count + (b?.Count ?? 0) + pieces.Count);
        var types = new List<long>(ids.Capacity);
        foreach (var piece in pieces)
        {
            if (piece.TokenId is int id)
            {
                if (!addSpecialTokens)
                    continue;
                ids.Add(id);
                types.Add(piece.TypeId);
                continue;
            }
            var text = piece.Slot == 0 ? a : b!;
            foreach (int t in text)
            {
                ids.Add(t);
                types.Add(piece.TypeId);
            }
        }
        return (ids.ToArray(), types.ToArray());
    }
}

namespace Tandem.Tokenization;

/// <summary>One token matched whole in the text before any other processing (a special token such as <c>[MASK]</c>
/// or <c>&lt;|endoftext|&gt;</c>, or an added word), as Hugging Face's <c>AddedToken</c>.</summary>
/// <param name="Content">The text of the token, matched exactly (case-sensitive).</param>
/// <param name="Id">Its id.</param>
/// <param name="Special">Whether <c>skip_special_tokens</c> leaves it out.</param>
/// <param name="LStrip">It takes the whitespace before it (RoBERTa's <c>&lt;mask&gt;</c>).</param>
/// <param name="RStrip">It takes the whitespace after it.</param>
internal sealed record AddedToken(string Content, int Id, bool Special, bool LStrip = false, bool RStrip = false);

/// <summary>
/// Splits text on added tokens: the pieces between them go through the tokenizer's normalizer, pre-tokenizer and
/// model; each added token becomes its id. At any place the earliest match wins, and the longest on a tie.
/// </summary>
internal sealed class AddedTokens
{
    private readonly AddedToken[] _tokens;

    public AddedTokens(IEnumerable<AddedToken> tokens) =>
        _tokens = tokens.Where(t => t.Content.Length > 0).DistinctBy(t => t.Content).ToArray();

    /// <summary>The tokens, in the order given.</summary>
    public IReadOnlyList<AddedToken> All => _tokens;

    /// <summary>Calls <paramref name="text"/> for each stretch of ordinary text and <paramref name="token"/> for
    /// each added token, in order. Stretches may be empty.</summary>
    public void Split(string input, Action<string> text, Action<AddedToken> token)
    {
        int start = 0;
        while (start <= input.Length)
        {
            var (at, match) = Next(input, start);
            if (match is null)
            {
                text(input[start..]);
                return;
            }
            int end = at;
            if (match.LStrip)
                while (end > start && char.IsWhiteSpace(input[end - 1])) end--;
            text(input[start..end]);
            token(match);
            start = at + match.Content.Length;
            if (match.RStrip)
                while (start < input.Length && char.IsWhiteSpace(input[start])) start++;
        }
    }

    private (int At, AddedToken? Token) Next(string text, int start)
    {
        int best = text.Length;
        AddedToken? token = null;
        foreach (var t in _tokens)
        {
            int at = text.IndexOf(t.Content, start, StringComparison.Ordinal);
            if (at >= 0 && (at < best || at == best && t.Content.Length > token!.Content.Length))
                (best, token) = (at, t);
        }
        return (best, token);
    }
}

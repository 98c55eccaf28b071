using System.Text;

namespace Tandem.Tokenization;

/// <summary>
/// Joins WordPiece tokens into text as the BERT decoder of transformers does: a <c>##</c> piece is glued to the
/// token before it, other tokens are separated by one space; then tokenization spaces are cleaned up.
/// </summary>
internal static class TextDecoder
{
    public const string ContinuationPrefix = "##";

    // The replacements of transformers' clean_up_tokenization, in its order.
    private static readonly (string From, string To)[] Cleanups =
    [
        (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"),
        (" n't", "n't"), (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
    ];

    public static string Decode(IReadOnlyList<string> tokens, string prefix, bool cleanUp)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < tokens.Count; i++)
        {
            string token = tokens[i];
            if (i > 0 && token.StartsWith(prefix, StringComparison.Ordinal))
                sb.Append(token, prefix.Length, token.Length - prefix.Length);
            else
                (i > 0 ? sb.Append(' ') : sb).Append(token);
        }
        return cleanUp ? CleanUp(sb.ToString()) : sb.ToString();
    }

    public static string CleanUp(string text)
    {
        foreach (var (from, to) in Cleanups)
            text = text.Replace(from, to, StringComparison.Ordinal);
        return text;
    }
}

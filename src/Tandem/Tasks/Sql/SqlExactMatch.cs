using System.Text;

namespace Tandem.Tasks.Sql;

/// <summary>
/// Exact match of a predicted query against the gold one after normalisation.
/// <para>
/// What upstream does: text2sql-data's SQL is canonicalised (upper-case keywords and names, one space between
/// tokens) and its systems score a prediction as correct when its whitespace-separated tokens, variables filled
/// in, equal the gold's. Here both sides go through <see cref="Normalize"/> first, which makes that comparison
/// robust to what an uncased WordPiece round trip changes and nothing else: spacing (<c>MAX(</c> vs
/// <c>max (</c>), ASCII case outside string literals (keywords and names are case-insensitive in SQL), the quote
/// character of a string literal (<c>"texas"</c> vs <c>'texas'</c>) and a final <c>;</c>. String literal contents
/// and numbers are compared exactly.
/// </para>
/// <para>
/// For Spider, the official exact-set match parses the query and compares its components as sets, ignoring
/// values; that is out of scope here. This normalised string match is stricter than it (a reordered
/// <c>SELECT</c> list is a miss here).
/// </para>
/// </summary>
public static class SqlExactMatch
{
    /// <summary>The canonical text of a query: tokens joined by single spaces, words lower-cased, strings in
    /// single quotes, no final semicolon.</summary>
    /// <param name="sql">Any SQL text.</param>
    public static string Normalize(string sql)
    {
        var tokens = SqlLexer.Tokenize(sql);
        while (tokens.Count > 0 && tokens[^1].Kind == SqlTokenKind.Symbol && tokens[^1].Text == ";") tokens.RemoveAt(tokens.Count - 1);
        var sb = new StringBuilder(sql.Length);
        foreach (var t in tokens)
        {
            if (sb.Length > 0) sb.Append(' ');
            switch (t.Kind)
            {
                case SqlTokenKind.String: sb.Append('\'').Append(t.Value.Replace("'", "''")).Append('\''); break;
                case SqlTokenKind.Number: sb.Append(t.Text); break;
                default: sb.Append(t.Text.ToLowerInvariant()); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>Whether the two queries are equal after <see cref="Normalize"/>.</summary>
    /// <param name="predicted">The model's query.</param>
    /// <param name="gold">The gold query.</param>
    public static bool Matches(string predicted, string gold) => Normalize(predicted) == Normalize(gold);
}

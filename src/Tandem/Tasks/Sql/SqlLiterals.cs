using System.Text.RegularExpressions;

namespace Tandem.Tasks.Sql;

/// <summary>
/// The string literals of a query against the words of the question it answers. In GeoQuery every gold literal is
/// a name the question spells (all 598 train and dev pairs), so a candidate with a literal the question lacks (a
/// frequent name remembered from training, a state the question never named) is most likely wrong.
/// </summary>
public static partial class SqlLiterals
{
    /// <summary>Lower case, every run of characters other than letters and digits one space: the form in which names
    /// are looked for in questions.</summary>
    public static string Normalize(string text) => NonWord().Replace(text.ToLowerInvariant(), " ").Trim();

    /// <summary>Whether <paramref name="question"/> contains <paramref name="text"/> as whole words (both normalised).</summary>
    public static bool Occurs(string text, string question) =>
        (" " + Normalize(question) + " ").Contains(" " + Normalize(text) + " ", StringComparison.Ordinal);

    /// <summary>Whether every non-empty string literal of <paramref name="sql"/> occurs in <paramref name="question"/>
    /// (true for a query without literals).</summary>
    public static bool AllInQuestion(string sql, string question)
    {
        var q = " " + Normalize(question) + " ";
        foreach (var t in SqlLexer.Tokenize(sql))
        {
            if (t.Kind != SqlTokenKind.String) continue;
            var literal = Normalize(t.Value);
            if (literal.Length > 0 && !q.Contains(" " + literal + " ", StringComparison.Ordinal)) return false;
        }
        return true;
    }

    [GeneratedRegex(@"[^\p{L}\p{N}]+")]
    private static partial Regex NonWord();
}

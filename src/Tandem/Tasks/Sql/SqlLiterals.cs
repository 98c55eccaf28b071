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

    /// <summary>The question in the form names are looked for in (<see cref="Normalize"/>, a space at each end); make
    /// it once for several <see cref="OccursIn"/> calls.</summary>
    public static string Words(string question) => " " + Normalize(question) + " ";

    /// <summary>Whether <paramref name="text"/>, normalised, occurs as whole words in <paramref name="words"/> (from
    /// <see cref="Words"/>).</summary>
    public static bool OccursIn(string text, string words) => Contains(words, Normalize(text));

    /// <summary>Whether <paramref name="question"/> contains <paramref name="text"/> as whole words (both normalised).</summary>
    public static bool Occurs(string text, string question) => OccursIn(text, Words(question));

    /// <summary>Whether every non-empty string literal of <paramref name="sql"/> occurs in <paramref name="question"/>
    /// (true for a query without literals).</summary>
    public static bool AllInQuestion(string sql, string question)
    {
        var words = Words(question);
        foreach (var t in SqlLexer.Tokenize(sql))
        {
            if (t.Kind != SqlTokenKind.String) continue;
            var literal = Normalize(t.Value);
            if (literal.Length > 0 && !Contains(words, literal)) return false;
        }
        return true;
    }

    static bool Contains(string words, string normalized) => words.Contains(" " + normalized + " ", StringComparison.Ordinal);

    [GeneratedRegex(@"[^\p{L}\p{N}]+")]
    private static partial Regex NonWord();
}

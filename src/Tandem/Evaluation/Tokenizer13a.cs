using System.Text.RegularExpressions;

namespace Tandem.Evaluation;

/// <summary>sacreBLEU's default "13a" tokenizer (the mteval-v13a rules): unescapes a few HTML entities, splits
/// off punctuation and symbols, and splits periods and commas except inside numbers.</summary>
public static partial class Tokenizer13a
{
    [GeneratedRegex(@"([\{-\~\[-\` -\&\(-\+\:-\@\/])")] private static partial Regex Symbols();
    [GeneratedRegex(@"([^0-9])([\.,])")] private static partial Regex PunctAfterNonDigit();
    [GeneratedRegex(@"([\.,])([^0-9])")] private static partial Regex PunctBeforeNonDigit();
    [GeneratedRegex(@"([0-9])(-)")] private static partial Regex DashAfterDigit();

    /// <summary>The tokens of <paramref name="line"/> joined by single spaces.</summary>
    public static string Tokenize(string line)
    {
        line = line.Replace("<skipped>", "").Replace("-\n", "").Replace("\n", " ");
        if (line.Contains('&'))
            line = line.Replace("&quot;", "\"").Replace("&amp;", "&").Replace("&lt;", "<").Replace("&gt;", ">");
        line = " " + line + " ";
        line = Symbols().Replace(line, " $1 ");
        line = PunctAfterNonDigit().Replace(line, "$1 $2 ");
        line = PunctBeforeNonDigit().Replace(line, " $1 $2");
        line = DashAfterDigit().Replace(line, "$1 $2 ");
        return string.Join(' ', line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }
}

using System.Text;
using System.Text.RegularExpressions;

namespace Tandem.Tasks.Translation;

/// <summary>
/// Puts back the spacing that a WordPiece decode loses in European text. BERT's tokenizer splits every punctuation
/// mark off, so the decoded text has spaces around all of them; transformers' clean-up only joins <c> .</c>,
/// <c> ,</c>, <c> !</c>, <c> ?</c> and a few English contractions. Here a hyphen between two words is joined
/// (<c>T - Shirt</c> to <c>T-Shirt</c>: Multi30k's German has 2,105 such hyphens and 6 spaced ones), closing marks
/// join the word before them, opening marks the word after them, and straight double quotes alternate between opening
/// and closing. This matters for BLEU: sacreBLEU's 13a tokenizer does not split hyphens, apostrophes or non-ASCII quotes.
/// </summary>
public static partial class TextDetokenizer
{
    /// <summary>The text with normal spacing around punctuation.</summary>
    public static string Detokenize(string text)
    {
        var s = Spaces().Replace(text.Trim(), " ");
        s = Hyphen().Replace(s, "-");
        s = Apostrophe().Replace(s, "$1'$2");
        s = BeforeClosing().Replace(s, "$1");
        s = AfterOpening().Replace(s, "$1");
        return StraightQuotes(s);
    }

    /// <summary>Pairs straight double quotes: the first of a pair joins the word after it, the second the word before it.</summary>
    static string StraightQuotes(string s)
    {
        if (!s.Contains('"')) return s;
        var sb = new StringBuilder(s.Length);
        bool open = false, glue = true;
        foreach (var word in s.Split(' '))
        {
            bool quote = word == "\"";
            if (quote) open = !open;
            if (!glue && !(quote && !open)) sb.Append(' ');     // a closing quote joins the word before it
            sb.Append(word);
            glue = quote && open;                               // an opening quote joins the word after it
        }
        return sb.ToString();
    }

    [GeneratedRegex(@"\s+")] private static partial Regex Spaces();
    [GeneratedRegex(@"(?<=\w) ?- ?(?=\w)")] private static partial Regex Hyphen();
    [GeneratedRegex(@"(\w) ' (s|n|t)\b")] private static partial Regex Apostrophe();
    [GeneratedRegex(@" ([.,!?:;%)\]}“”‘’])")] private static partial Regex BeforeClosing();
    [GeneratedRegex(@"([(\[{„]) ")] private static partial Regex AfterOpening();
}

using System.Globalization;
using System.Text;

namespace Tandem.Tokenization;

/// <summary>
/// The text clean-up and word splitting that BERT does before WordPiece, with the rules of transformers'
/// <c>BasicTokenizer</c>: control characters dropped, any whitespace is a separator, CJK ideographs become words,
/// words are lower-cased and stripped of accents as configured, and every punctuation character is a word.
/// (Microsoft.ML.Tokenizers' own Bert normalizer differs: it drops newlines and tabs, drops symbols such as "€",
/// and cannot strip accents in invariant-globalization mode; so this is done here.)
/// </summary>
internal sealed class BasicTokenizer(bool lowerCase, bool stripAccents, bool splitCjk)
{
    /// <summary>The words of <paramref name="text"/>, in order.</summary>
    public List<string> Split(string text) => SplitWords(Normalize(text));

    /// <summary>What transformers' <c>BertNormalizer</c> does: the text cleaned (see <see cref="Clean"/>), each
    /// space-separated word lower-cased and stripped of accents as configured.</summary>
    public string Normalize(string text)
    {
        string clean = Clean(text);
        if (!lowerCase && !stripAccents)
            return clean;
        var words = clean.Split(' ');
        for (int i = 0; i < words.Length; i++)
        {
            if (lowerCase)
                words[i] = LowerCase(words[i]);
            if (stripAccents)
                words[i] = AccentStripper.Strip(words[i]);
        }
        return string.Join(' ', words);
    }

    /// <summary>What <c>BertPreTokenizer</c> does: whitespace separates words, and every punctuation character is a
    /// word of its own.</summary>
    public static List<string> SplitWords(string text)
    {
        var words = new List<string>();
        int start = 0, i = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            int next = i + rune.Utf16SequenceLength;
            bool space = IsWhitespace(rune);
            if (space || IsPunctuation(rune))
            {
                if (i > start) words.Add(text[start..i]);
                if (!space) words.Add(text[i..next]);
                start = next;
            }
            i = next;
        }
        if (text.Length > start) words.Add(text[start..]);
        return words;
    }

    // Drops NUL, U+FFFD and control/format characters; whitespace becomes ' '; CJK ideographs get spaces around.
    private string Clean(string text)
    {
        var sb = new StringBuilder(text.Length + 8);
        foreach (var rune in text.EnumerateRunes())
        {
            int cp = rune.Value;
            if (cp == 0 || cp == 0xFFFD)
                continue;
            if (IsWhitespace(rune))
                sb.Append(' ');
            else if (IsControl(rune))
                continue;
            else if (splitCjk && IsCjk(cp))
                sb.Append(' ').Append(rune.ToString()).Append(' ');
            else
                sb.Append(rune.ToString());
        }
        return sb.ToString();
    }

    // Python's str.lower() turns a capital sigma that ends a word into the final form, and capital I with dot
    // above into "i" + combining dot (which accent stripping then drops).
    private static string LowerCase(string word)
    {
        word = word.Replace("\u0130", "i\u0307", StringComparison.Ordinal);
        string lower = word.ToLowerInvariant();
        int last = word.LastIndexOf('Σ');
        if (last > 0 && char.IsLetter(word[last - 1]) && (last + 1 == word.Length || !char.IsLetter(word[last + 1])))
            lower = string.Concat(lower.AsSpan(0, last), "ς", lower.AsSpan(last + 1));
        return lower;
    }

    private static bool IsWhitespace(Rune r) =>
        r.Value is ' ' or '\t' or '\n' or '\r' || Rune.GetUnicodeCategory(r) == UnicodeCategory.SpaceSeparator;

    // transformers counts every "C*" category (control, format, private use, surrogate, unassigned) as control.
    private static bool IsControl(Rune r) => Rune.GetUnicodeCategory(r) is UnicodeCategory.Control
        or UnicodeCategory.Format or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned;

    // All non-alphanumeric ASCII (so "$", "+", "^" count) and every Unicode "P*" category.
    private static bool IsPunctuation(Rune r)
    {
        int cp = r.Value;
        if (cp is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126)
            return true;
        return Rune.GetUnicodeCategory(r) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    // The CJK Unified Ideographs blocks and their extensions and compatibility blocks (not kana, not Hangul).
    private static bool IsCjk(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF
            or >= 0x2A700 and <= 0x2B73F or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF
            or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}

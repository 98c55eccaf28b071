using System.Globalization;
using System.Text;

namespace Tandem.Tokenization;

/// <summary>
/// Removes accents as transformers' BERT tokenizer does: canonical decomposition (NFD), then every non-spacing mark
/// (category Mn) dropped. Works without ICU: decompositions come from a generated table, Hangul syllables are
/// decomposed by the Unicode algorithm.
/// </summary>
internal static partial class AccentStripper
{
    private static readonly Lazy<Dictionary<int, string>> Table = new(ParseTable);

    public static string Strip(string word)
    {
        StringBuilder? sb = null;
        int i = 0;
        foreach (var rune in word.EnumerateRunes())
        {
            string? replacement = Replace(rune);
            if (replacement is not null && sb is null)
                sb = new StringBuilder(word.Length).Append(word, 0, i);
            if (sb is not null)
            {
                if (replacement is not null) sb.Append(replacement);
                else sb.Append(rune.ToString());
            }
            i += rune.Utf16SequenceLength;
        }
        return sb?.ToString() ?? word;
    }

    // null: keep the rune as it is.
    private static string? Replace(Rune rune)
    {
        if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.NonSpacingMark)
            return "";
        int cp = rune.Value;
        if (cp is >= 0xAC00 and <= 0xD7A3)
            return Hangul(cp - 0xAC00);
        return Table.Value.TryGetValue(cp, out var s) ? s : null;
    }

    // A Hangul syllable is leading consonant x vowel x optional trailing consonant (Unicode section 3.12).
    private static string Hangul(int s)
    {
        const int vCount = 21, tCount = 28;
        char l = (char)(0x1100 + s / (vCount * tCount));
        char v = (char)(0x1161 + s % (vCount * tCount) / tCount);
        int t = s % tCount;
        return t == 0 ? $"{l}{v}" : $"{l}{v}{(char)(0x11A7 + t)}";
    }

    private static Dictionary<int, string> ParseTable()
    {
        var table = new Dictionary<int, string>(2100);
        foreach (var entry in TableData.Split(';'))
        {
            int eq = entry.IndexOf('=');
            var to = new StringBuilder();
            foreach (var part in entry[(eq + 1)..].Split('+'))
                to.Append(char.ConvertFromUtf32(int.Parse(part, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            table[int.Parse(entry.AsSpan(0, eq), NumberStyles.HexNumber, CultureInfo.InvariantCulture)] = to.ToString();
        }
        return table;
    }
}

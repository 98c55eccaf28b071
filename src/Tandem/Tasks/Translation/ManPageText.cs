using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace Tandem.Tasks.Translation;

/// <summary>
/// The running text of a manual page written in roff (the <c>man</c> macros): requests and macros dropped (the text
/// arguments of the font macros <c>.B</c>, <c>.I</c>, <c>.BR</c>... kept), escapes resolved to the characters they stand
/// for or removed (font changes, sizes, strings), no-fill blocks (<c>.nf</c>/<c>.fi</c>, <c>.EX</c>/<c>.EE</c>: code and
/// tables) and headings and the labels of <c>.TP</c> items left out. Filled text is joined into paragraphs and split into sentences, one a line; a line
/// with few words or mostly characters other than letters (options, paths, numbers) is dropped.
/// </summary>
public static partial class ManPageText
{
    static readonly HashSet<string> FontMacros = ["B", "I", "BI", "BR", "IB", "IR", "RB", "RI", "SM", "SB"];
    static readonly HashSet<string> Alternating = ["BI", "BR", "IB", "IR", "RB", "RI"];
    static readonly Dictionary<string, string> Specials = new(StringComparer.Ordinal)
    {
        ["em"] = "—", ["en"] = "–", ["hy"] = "-", ["aq"] = "'", ["dq"] = "\"", ["lq"] = "“", ["rq"] = "”", ["oq"] = "‘", ["cq"] = "’",
        ["Fo"] = "«", ["Fc"] = "»", ["fo"] = "‹", ["fc"] = "›", ["Bq"] = "„", ["bq"] = "‚", ["ga"] = "`", ["ti"] = "~", ["ha"] = "^",
        ["co"] = "©", ["rg"] = "®", ["de"] = "°", ["mu"] = "×", ["->"] = "→", ["<-"] = "←", ["ss"] = "ß",
        [":a"] = "ä", [":o"] = "ö", [":u"] = "ü", [":A"] = "Ä", [":O"] = "Ö", [":U"] = "Ü",
    };

    /// <summary>The sentences of the gzip-compressed page <paramref name="path"/> (see <see cref="Sentences"/>).</summary>
    public static IReadOnlyList<string> ReadPage(string path)
    {
        try
        {
            using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            using var reader = new StreamReader(gzip, Encoding.UTF8);
            return Sentences(reader.ReadToEnd());
        }
        catch (Exception e) when (e is InvalidDataException or IOException) { throw new TandemException($"{path}: not a gzip-compressed manual page ({e.Message})", e); }
    }

    /// <summary>The sentences of the roff source <paramref name="roff"/>, one a line, in order.</summary>
    public static IReadOnlyList<string> Sentences(string roff)
    {
        var sentences = new List<string>();
        var paragraph = new StringBuilder();
        bool noFill = false, tag = false;   // tag: the line after .TP is the item's label (an option), not prose
        void Flush()
        {
            foreach (var s in SentenceEnd().Split(Whitespace().Replace(paragraph.ToString(), " ").Trim()))
                if (IsProse(s)) sentences.Add(s);
            paragraph.Clear();
        }
        foreach (var raw in roff.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length > 0 && line[0] is '.' or '\'')
            {
                var (name, args) = Request(line);
                if (tag && FontMacros.Contains(name)) { tag = false; continue; }
                if (name is "nf" or "EX") { Flush(); noFill = true; }
                else if (name is "fi" or "EE") noFill = false;
                else if (FontMacros.Contains(name) && !noFill)
                    paragraph.Append(' ').Append(Unescape(string.Join(Alternating.Contains(name) ? "" : " ", Arguments(args))));
                else if (name.Length > 0 && !name.StartsWith('\\')) { Flush(); tag = name == "TP"; }   // any other request breaks the paragraph
                continue;
            }
            if (noFill) continue;
            if (tag) { tag = false; continue; }
            if (line.Trim().Length == 0) { Flush(); continue; }
            paragraph.Append(' ').Append(Unescape(line));
        }
        Flush();
        return sentences;
    }

    /// <summary>A request line's name and the rest (<c>.BR ls (1)</c>: <c>BR</c>, <c>ls (1)</c>).</summary>
    static (string Name, string Args) Request(string line)
    {
        var body = line[1..].TrimStart();
        int space = body.IndexOfAny([' ', '\t']);
        return space < 0 ? (body, "") : (body[..space], body[(space + 1)..]);
    }

    /// <summary>Macro arguments: separated by spaces, a quoted argument may hold spaces.</summary>
    static IEnumerable<string> Arguments(string args)
    {
        foreach (Match m in Argument().Matches(args))
            yield return m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
    }

    /// <summary>Resolves roff escapes: <c>\-</c> is a hyphen, <c>\(xx</c> and <c>\[name]</c> special characters, font,
    /// size and string escapes and zero-width marks vanish, <c>\"</c> starts a comment.</summary>
    public static string Unescape(string text)
    {
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c != '\\' || i + 1 >= text.Length) { sb.Append(c); continue; }
            char e = text[++i];
            switch (e)
            {
                case '"': return sb.ToString();                                        // comment to the end of the line
                case '-': sb.Append('-'); break;
                case 'e': case '\\': sb.Append('\\'); break;
                case ' ': case '~': case '0': sb.Append(' '); break;
                case '&': case ',': case '/': case '|': case '^': case ':': case 'c': case ')': break;
                case '(':
                    if (i + 2 < text.Length) { sb.Append(Specials.GetValueOrDefault(text.Substring(i + 1, 2), "")); i += 2; }
                    break;
                case '[':
                    int close = text.IndexOf(']', i);
                    if (close < 0) { i = text.Length; break; }
                    sb.Append(Specials.GetValueOrDefault(text[(i + 1)..close], ""));
                    i = close;
                    break;
                case 'f': case '*': case 'n': case 'F':                                // \fB \f(CW \f[BI] \*(Tm \*[x] \n(xx
                    i = SkipName(text, i + 1);
                    break;
                case 's':                                                              // \s0 \s+2 \s-1 \s(12
                    int j = i + 1;
                    if (j < text.Length && text[j] is '+' or '-') j++;
                    if (j < text.Length && text[j] == '(') j += 2;
                    else while (j < text.Length && char.IsAsciiDigit(text[j])) j++;
                    i = Math.Min(j, text.Length) - 1;
                    break;
                default: sb.Append(e); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>Skips an escape's name that starts at <paramref name="at"/>: one character, <c>(xx</c> or <c>[name]</c>;
    /// returns the index of its last character.</summary>
    static int SkipName(string text, int at)
    {
        if (at >= text.Length) return text.Length - 1;
        if (text[at] == '(') return Math.Min(at + 2, text.Length - 1);
        if (text[at] == '[') { int close = text.IndexOf(']', at); return close < 0 ? text.Length - 1 : close; }
        return at;
    }

    /// <summary>Prose: at least four words, and letters are at least 70 % of the characters other than spaces.</summary>
    static bool IsProse(string sentence)
    {
        if (sentence.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length < 4) return false;
        int letters = 0, other = 0;
        foreach (char c in sentence)
            if (char.IsLetter(c)) letters++;
            else if (!char.IsWhiteSpace(c)) other++;
        return letters >= 0.7 * (letters + other);
    }

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[\p{Lu}„»""])")] private static partial Regex SentenceEnd();
    [GeneratedRegex(@"\s+")] private static partial Regex Whitespace();
    [GeneratedRegex("\"([^\"]*)\"?|(\\S+)")] private static partial Regex Argument();
}

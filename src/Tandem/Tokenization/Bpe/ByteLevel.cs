using System.Text;
using System.Text.RegularExpressions;

namespace Tandem.Tokenization;

/// <summary>
/// GPT-2's byte level: text is split with GPT-2's pattern (contractions in lower case only, letters, digits, other
/// symbols, each with at most one space before it, and whitespace runs), and every byte of UTF-8 has a printable
/// character (space is <c>Ġ</c>, newline <c>Ċ</c>), so BPE works on bytes and never needs an unknown token.
/// </summary>
internal static partial class ByteLevel
{
    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+")]
    private static partial Regex Gpt2Pattern();

    private static readonly Lazy<Dictionary<char, byte>> CharToByte = new(BuildTable);
    private static readonly Lazy<char[]> ByteToChar = new(() =>
    {
        var chars = new char[256];
        foreach (var (c, b) in CharToByte.Value) chars[b] = c;
        return chars;
    });

    /// <summary>The 256 characters that stand for the bytes, in byte order.</summary>
    public static IReadOnlyList<char> Alphabet => ByteToChar.Value;

    /// <summary>A word as byte-level characters: each byte of its UTF-8 replaced by its printable character.</summary>
    public static string Encode(string word)
    {
        var table = ByteToChar.Value;
        var bytes = Encoding.UTF8.GetBytes(word);
        return string.Create(bytes.Length, bytes, (span, b) => { for (int i = 0; i < b.Length; i++) span[i] = table[b[i]]; });
    }

    /// <summary>The words of <paramref name="text"/> as GPT-2 splits it (a space first when
    /// <paramref name="addPrefixSpace"/> and the text does not start with one).</summary>
    public static IEnumerable<string> Split(string text, bool addPrefixSpace, bool useRegex)
    {
        if (addPrefixSpace && !text.StartsWith(' '))
            text = " " + text;
        if (!useRegex)
            return [text];
        return Gpt2Pattern().Matches(text).Select(m => m.Value);
    }

    /// <summary>Text from byte-level tokens: each character back to its byte, the bytes read as UTF-8 (invalid
    /// sequences become U+FFFD, as Python's <c>errors="replace"</c>). Characters outside the byte alphabet (in
    /// added tokens) keep their own UTF-8 bytes.</summary>
    public static string Decode(IReadOnlyList<string> tokens)
    {
        var bytes = new List<byte>();
        var table = CharToByte.Value;
        Span<byte> buffer = stackalloc byte[4];
        foreach (var token in tokens)
        {
            foreach (var rune in token.EnumerateRunes())
            {
                if (rune.IsBmp && table.TryGetValue((char)rune.Value, out byte b))
                    bytes.Add(b);
                else
                    bytes.AddRange(buffer[..rune.EncodeToUtf8(buffer)]);
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    // GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the others get 256, 257, ... in order.
    private static Dictionary<char, byte> BuildTable()
    {
        var table = new Dictionary<char, byte>(256);
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            table[(char)(printable ? b : next++)] = (byte)b;
        }
        return table;
    }
}

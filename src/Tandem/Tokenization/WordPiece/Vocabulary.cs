using System.Text;

namespace Tandem.Tokenization;

/// <summary>
/// The tokens of a <c>vocab.txt</c> in file order: line <c>i</c> is token id <c>i</c>. As in Hugging Face, a token
/// that appears twice maps to its last line. Line ends may be <c>\n</c> or <c>\r\n</c>.
/// </summary>
internal sealed class Vocabulary
{
    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;

    private Vocabulary(string[] tokens)
    {
        _tokens = tokens;
        _ids = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Length; i++)
            _ids[tokens[i]] = i;
    }

    public int Count => _tokens.Length;

    public IReadOnlyList<string> Tokens => _tokens;

    public static Vocabulary Read(Stream stream, string source)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        string text = reader.ReadToEnd();
        var lines = text.Split('\n');
        int n = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        var tokens = new string[n];
        for (int i = 0; i < n; i++)
            tokens[i] = lines[i].EndsWith('\r') ? lines[i][..^1] : lines[i];
        if (n == 0)
            throw new TandemException($"{source} holds no tokens");
        return new Vocabulary(tokens);
    }

    public int? IdOf(string token) => _ids.TryGetValue(token, out int id) ? id : null;

    public string? TokenOf(int id) => id >= 0 && id < _tokens.Length ? _tokens[id] : null;

    /// <summary>The vocabulary as <c>vocab.txt</c> text: one token a line, <c>\n</c> ends, in id order.</summary>
    public string ToText()
    {
        var sb = new StringBuilder(_tokens.Length * 8);
        foreach (var t in _tokens)
            sb.Append(t).Append('\n');
        return sb.ToString();
    }
}

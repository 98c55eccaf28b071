using System.Text;
using System.Text.Json;

namespace Tandem.Training.Data;

/// <summary>Reads (source, target) pairs from JSON lines, TSV or CSV files; errors name the file and line. The text
/// must be UTF-8 (a byte order mark is skipped); blank lines are skipped; every TSV/CSV row has as many columns as
/// the header (two without one); a file without pairs is an error.</summary>
public static class PairReader
{
    /// <summary>Reads every pair of <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="format">Layout; <see cref="PairFormat.Auto"/> follows the extension.</param>
    /// <param name="sourceField">Name of the source field (JSON key or header column).</param>
    /// <param name="targetField">Name of the target field.</param>
    public static List<TextPair> Read(string path, PairFormat format = PairFormat.Auto, string sourceField = "source", string targetField = "target")
    {
        if (!File.Exists(path)) throw new TandemException($"{path}: data file not found");
        format = format == PairFormat.Auto ? FromExtension(path) : format;
        using var reader = new StreamReader(path, StrictUtf8, detectEncodingFromByteOrderMarks: true);
        List<TextPair> pairs;
        try
        {
            pairs = format switch
            {
                PairFormat.JsonLines => ReadJsonLines(reader, path, sourceField, targetField),
                PairFormat.Tsv => ReadDelimited(TsvRows(reader), path, sourceField, targetField, headerOptional: true),
                _ => ReadDelimited(CsvParser.Rows(reader, path), path, sourceField, targetField, headerOptional: false),
            };
        }
        catch (DecoderFallbackException) { throw NotUtf8(path); }
        if (pairs.Count == 0) throw new TandemException($"{path}: no (source, target) pairs in the file");
        return pairs;
    }

    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The error for a file that is not UTF-8, naming the line and byte of the first invalid sequence.</summary>
    static TandemException NotUtf8(string path)
    {
        var bytes = File.ReadAllBytes(path);
        System.Text.Unicode.Utf8.ToUtf16(bytes, new char[bytes.Length], out int valid, out _, replaceInvalidSequences: false);
        int line = 1 + bytes.AsSpan(0, valid).Count((byte)'\n');
        return new TandemException($"{path}:{line}: not valid UTF-8 (at byte {valid}); save the file as UTF-8");
    }

    /// <summary>The format an extension implies.</summary>
    public static PairFormat FromExtension(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".jsonl" or ".json" or ".ndjson" => PairFormat.JsonLines,
        ".tsv" or ".tab" => PairFormat.Tsv,
        ".csv" => PairFormat.Csv,
        var e => throw new TandemException($"{path}: cannot tell the data format from the extension '{e}' (use .jsonl, .tsv or .csv, or set data.format)"),
    };

    static List<TextPair> ReadJsonLines(StreamReader reader, string path, string src, string tgt)
    {
        var pairs = new List<TextPair>();
        int lineNo = 0;
        for (string? line; (line = reader.ReadLine()) is not null;)
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                pairs.Add(new TextPair(Field(doc.RootElement, src, path, lineNo), Field(doc.RootElement, tgt, path, lineNo)));
            }
            catch (JsonException e) { throw new TandemException($"{path}:{lineNo}: invalid JSON ({e.Message.Split('\n')[0]})", e); }
        }
        return pairs;
    }

    static string Field(JsonElement obj, string name, string path, int line)
    {
        if (obj.ValueKind != JsonValueKind.Object) throw new TandemException($"{path}:{line}: expected a JSON object");
        if (!obj.TryGetProperty(name, out var v)) throw new TandemException($"{path}:{line}: no \"{name}\" field");
        return v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText();
    }

    /// <summary>TSV rows: each non-empty line split at tabs, with its line number.</summary>
    internal static IEnumerable<(int Line, string[] Cells)> TsvRows(TextReader reader)
    {
        int lineNo = 0;
        for (string? line; (line = reader.ReadLine()) is not null;)
        {
            lineNo++;
            if (line.Length > 0) yield return (lineNo, line.Split('\t'));
        }
    }

    static List<TextPair> ReadDelimited(IEnumerable<(int Line, string[] Cells)> rows, string path, string src, string tgt, bool headerOptional)
    {
        var pairs = new List<TextPair>();
        int si = 0, ti = 1, columns = 2;
        bool first = true;
        foreach (var (line, cells) in rows)
        {
            if (first)
            {
                first = false;
                int hs = Array.IndexOf(cells, src), ht = Array.IndexOf(cells, tgt);
                if (hs >= 0 && ht >= 0) { (si, ti, columns) = (hs, ht, cells.Length); continue; }
                if (!headerOptional)
                    throw new TandemException($"{path}:{line}: the header must name the columns \"{src}\" and \"{tgt}\"");
            }
            if (cells.Length != columns)
                throw new TandemException($"{path}:{line}: expected {columns} columns{(columns == 2 ? " (source, target)" : " as the header")}, found {cells.Length}");
            pairs.Add(new TextPair(cells[si], cells[ti]));
        }
        return pairs;
    }
}

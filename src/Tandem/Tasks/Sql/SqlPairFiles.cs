using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tandem.Training.Data;

namespace Tandem.Tasks.Sql;

/// <summary>The file formats question/SQL pairs are written in and read from.</summary>
public enum SqlPairFormat
{
    /// <summary>One JSON object per line: <c>{"source": question, "target": sql}</c>.</summary>
    JsonLines,

    /// <summary>One pair per line: question, a tab, SQL. Tabs and line breaks inside a field become spaces.</summary>
    Tsv,
}

/// <summary>
/// Reads and writes question/SQL pairs in the training formats. A user's own pairs load through
/// <see cref="Read"/> and then behave like any reader's examples.
/// </summary>
public static class SqlPairFiles
{
    /// <summary>Writes pairs, one a line, in UTF-8 with <c>\n</c> line ends.</summary>
    /// <param name="path">The output file.</param>
    /// <param name="examples">The pairs (only question and SQL are written).</param>
    /// <param name="format">JSON lines or TSV.</param>
    /// <param name="targetTransform">An optional rewrite of each SQL target before writing.</param>
    public static void Write(string path, IEnumerable<SqlExample> examples, SqlPairFormat format, Func<string, string>? targetTransform = null)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false)) { NewLine = "\n" };
        foreach (var e in examples)
        {
            string target = targetTransform is null ? e.Sql : targetTransform(e.Sql);
            if (format == SqlPairFormat.JsonLines)
                writer.WriteLine(new JsonObject { ["source"] = e.Question, ["target"] = target }.ToJsonString());
            else
                writer.WriteLine(Flat(e.Question) + "\t" + Flat(target));
        }
    }

    /// <summary>
    /// Reads pairs written by <see cref="Write"/> or by hand, each with its <see cref="SqlExample.Line"/>. The format
    /// follows the extension: <c>.csv</c> is CSV (RFC 4180) with a header row, <c>.tsv</c> TSV with an optional header
    /// row (without one: question, a tab, SQL), anything else JSON lines. The question is the field or column named
    /// <c>source</c> or <c>question</c>, the SQL the one named <c>target</c>, <c>query</c> or <c>sql</c> (in any case);
    /// <c>db_id</c> is kept when present. Blank lines are skipped; a malformed row is an error naming the line.
    /// </summary>
    /// <param name="path">The pairs file.</param>
    /// <param name="split">The split name the examples get (e.g. <c>train</c>).</param>
    /// <param name="dbPath">The SQLite file the pairs' SQL runs on, if any.</param>
    public static IReadOnlyList<SqlExample> Read(string path, string split, string? dbPath = null)
    {
        if (!File.Exists(path))
            throw new TandemException($"pairs file not found: {path}");
        using var reader = new StreamReader(path, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".csv" => FromRows(CsvParser.Rows(reader, path), path, split, dbPath, headerRequired: true),
            ".tsv" => FromRows(PairReader.TsvRows(reader).Where(r => r.Cells.Any(c => c.Trim().Length > 0)), path, split, dbPath, headerRequired: false),
            _ => FromJsonLines(reader, path, split, dbPath),
        };
    }

    static readonly string[] QuestionNames = ["source", "question"];
    static readonly string[] SqlNames = ["target", "query", "sql"];

    static List<SqlExample> FromRows(IEnumerable<(int Line, string[] Cells)> rows, string path, string split, string? dbPath, bool headerRequired)
    {
        var examples = new List<SqlExample>();
        int question = 0, sql = 1, columns = 2;
        bool first = true;
        foreach (var (line, cells) in rows)
        {
            if (first)
            {
                first = false;
                int q = Column(cells, QuestionNames), s = Column(cells, SqlNames);
                if (q >= 0 && s >= 0) { (question, sql, columns) = (q, s, cells.Length); continue; }
                if (headerRequired)
                    throw new TandemException($"{path}:{line}: the header must name a question column (source or question) and a SQL column (target, query or sql)");
            }
            if (cells.Length != columns)
                throw new TandemException($"{path}:{line}: expected {columns} {(headerRequired ? "comma" : "tab")}-separated fields{(columns == 2 ? " (question, SQL)" : " as the header")}, found {cells.Length}");
            examples.Add(new SqlExample(cells[question], cells[sql], split) { DbPath = dbPath, Line = line });
        }
        return examples;
    }

    static int Column(string[] header, string[] names) =>
        Array.FindIndex(header, h => names.Contains(h.Trim(), StringComparer.OrdinalIgnoreCase));

    static List<SqlExample> FromJsonLines(TextReader reader, string path, string split, string? dbPath)
    {
        var examples = new List<SqlExample>();
        int lineNo = 0;
        for (string? line; (line = reader.ReadLine()) is not null;)
        {
            lineNo++;
            if (line.Trim().Length > 0) examples.Add(FromJson(line, path, lineNo, split, dbPath));
        }
        return examples;
    }

    static SqlExample FromJson(string line, string path, int lineNo, string split, string? dbPath)
    {
        JsonObject obj;
        try { obj = JsonNode.Parse(line)?.AsObject() ?? throw new JsonException("null"); }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new TandemException($"{path}:{lineNo}: not a JSON object ({ex.Message})", ex);
        }
        string? q = Text(obj, QuestionNames), s = Text(obj, SqlNames);
        if (q is null || s is null)
            throw new TandemException($"{path}:{lineNo}: needs \"source\" and \"target\" (or \"question\" and \"query\" or \"sql\") as strings");
        return new SqlExample(q, s, split) { DbId = obj["db_id"]?.GetValue<string>(), DbPath = dbPath, Line = lineNo };
    }

    static string? Text(JsonObject obj, string[] names) =>
        names.Select(n => obj[n]).FirstOrDefault(v => v is not null) is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;

    static string Flat(string s) => s.Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ');
}

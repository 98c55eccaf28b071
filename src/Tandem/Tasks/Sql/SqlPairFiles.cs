using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

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
    /// Reads pairs written by <see cref="Write"/> or by hand. The format follows the extension (<c>.tsv</c> is
    /// TSV, anything else JSON lines); blank lines are skipped. In JSON lines, <c>question</c>/<c>query</c>
    /// are accepted as well as <c>source</c>/<c>target</c>, and <c>db_id</c> is kept when present.
    /// </summary>
    /// <param name="path">The pairs file.</param>
    /// <param name="split">The split name the examples get (e.g. <c>train</c>).</param>
    /// <param name="dbPath">The SQLite file the pairs' SQL runs on, if any.</param>
    public static IReadOnlyList<SqlExample> Read(string path, string split, string? dbPath = null)
    {
        if (!File.Exists(path))
            throw new TandemException($"pairs file not found: {path}");
        bool tsv = path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase);
        var examples = new List<SqlExample>();
        int lineNo = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNo++;
            if (line.Trim().Length == 0) continue;
            examples.Add(tsv ? FromTsv(line, path, lineNo, split, dbPath) : FromJson(line, path, lineNo, split, dbPath));
        }
        return examples;
    }

    static SqlExample FromTsv(string line, string path, int lineNo, string split, string? dbPath)
    {
        var fields = line.Split('\t');
        if (fields.Length != 2)
            throw new TandemException($"{path}:{lineNo}: expected 2 tab-separated fields (question, SQL), found {fields.Length}");
        return new SqlExample(fields[0], fields[1], split) { DbPath = dbPath };
    }

    static SqlExample FromJson(string line, string path, int lineNo, string split, string? dbPath)
    {
        JsonObject obj;
        try { obj = JsonNode.Parse(line)?.AsObject() ?? throw new JsonException("null"); }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new TandemException($"{path}:{lineNo}: not a JSON object ({ex.Message})", ex);
        }
        string? q = (obj["source"] ?? obj["question"])?.GetValue<string>();
        string? s = (obj["target"] ?? obj["query"])?.GetValue<string>();
        if (q is null || s is null)
            throw new TandemException($"{path}:{lineNo}: needs \"source\" and \"target\" (or \"question\" and \"query\")");
        return new SqlExample(q, s, split) { DbId = obj["db_id"]?.GetValue<string>(), DbPath = dbPath };
    }

    static string Flat(string s) => s.Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ');
}

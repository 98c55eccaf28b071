using System.Text.Json;
using System.Text.RegularExpressions;

namespace Tandem.Tasks.Sql;

/// <summary>Which of text2sql-data's two splits an example's <see cref="SqlExample.Split"/> is taken from.</summary>
public enum Text2SqlSplitKind
{
    /// <summary>The question split (<c>sentences[i].question-split</c>): the same SQL may be in train and test.</summary>
    Question,

    /// <summary>The query split (<c>query-split</c>): each SQL query is in exactly one set. Much harder.</summary>
    Query,
}

/// <summary>
/// Reads a text2sql-data file (Finegan-Dollak et al., 2018, data version 4; e.g. <c>geography.json</c>): one
/// example per sentence, with <c>sql[0]</c> as the gold SQL (upstream uses only the first query). Placeholders
/// (<c>state_name0</c>, <c>var0</c>, ...) are whole words; in the question and the SQL each is replaced by the
/// sentence's value for it, or, when the sentence has no value or an empty one, by the variable's
/// <c>example</c> (the "sql-only" variables). Replacement is one pass, so a value is never rewritten again.
/// </summary>
public static class Text2SqlReader
{
    /// <summary>
    /// The SQLite files that run each dataset's gold SQL, relative to a text2sql-data folder laid out as
    /// <c>../shared/data/text2sql-data</c> is (see its README: both were rebuilt or patched there).
    /// </summary>
    public static IReadOnlyDictionary<string, string> KnownDatabases { get; } = new Dictionary<string, string>
    {
        ["geography"] = Path.Combine("derived", "geography-v4.sqlite"),
        ["restaurants"] = Path.Combine("derived", "restaurants-fixed-id.sqlite"),
    };

    /// <summary>
    /// Reads <c>data/&lt;dataset&gt;.json</c> from a text2sql-data folder, with <see cref="SqlExample.DbPath"/> set
    /// to the dataset's database from <see cref="KnownDatabases"/> when the file is there.
    /// </summary>
    /// <param name="folder">The text2sql-data folder (holding <c>data/</c> and <c>derived/</c>).</param>
    /// <param name="dataset">The dataset's name, e.g. <c>geography</c>.</param>
    /// <param name="kind">Which split goes into <see cref="SqlExample.Split"/>.</param>
    public static IReadOnlyList<SqlExample> ReadDataset(string folder, string dataset, Text2SqlSplitKind kind = Text2SqlSplitKind.Question)
    {
        string? db = KnownDatabases.TryGetValue(dataset, out var rel) ? Path.Combine(folder, rel) : null;
        return Read(Path.Combine(folder, "data", dataset + ".json"), kind, db is not null && File.Exists(db) ? db : null);
    }

    /// <summary>Reads all sentences of a text2sql-data JSON file.</summary>
    /// <param name="jsonPath">The <c>.json</c> file (not the bzip2-compressed WikiSQL file).</param>
    /// <param name="kind">Which split goes into <see cref="SqlExample.Split"/>.</param>
    /// <param name="dbPath">The SQLite file the SQL runs on, if any (e.g. <c>derived/geography-v4.sqlite</c>).</param>
    public static IReadOnlyList<SqlExample> Read(string jsonPath, Text2SqlSplitKind kind = Text2SqlSplitKind.Question, string? dbPath = null)
    {
        if (!File.Exists(jsonPath))
            throw new TandemException($"text2sql-data file not found: {jsonPath}");
        string dbId = Path.GetFileNameWithoutExtension(jsonPath);
        using var stream = File.OpenRead(jsonPath);
        using var doc = JsonDocument.Parse(stream);
        var examples = new List<SqlExample>();
        foreach (var entry in doc.RootElement.EnumerateArray())
        {
            string sql = entry.GetProperty("sql")[0].GetString()!;
            string querySplit = SplitValue(entry.GetProperty("query-split"));
            var examplesByName = new Dictionary<string, string>(StringComparer.Ordinal);
            var types = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var v in entry.GetProperty("variables").EnumerateArray())
            {
                string name = v.GetProperty("name").GetString()!;
                examplesByName[name] = v.GetProperty("example").GetString() ?? "";
                if (v.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String) types[name] = type.GetString()!;
            }
            foreach (var s in entry.GetProperty("sentences").EnumerateArray())
            {
                var values = new Dictionary<string, string>(examplesByName, StringComparer.Ordinal);
                foreach (var p in s.GetProperty("variables").EnumerateObject())
                {
                    string value = p.Value.GetString() ?? "";
                    if (value.Length > 0 || !values.ContainsKey(p.Name)) values[p.Name] = value;
                }
                string split = kind == Text2SqlSplitKind.Question ? SplitValue(s.GetProperty("question-split")) : querySplit;
                string text = s.GetProperty("text").GetString()!;
                examples.Add(new SqlExample(Fill(text, values), Fill(sql, values), split)
                {
                    DbId = dbId, DbPath = dbPath, Template = new SqlTemplate(text, sql, values, types),
                });
            }
        }
        return examples;
    }

    /// <summary>Replaces each whole-word placeholder in <paramref name="text"/> by its value, in one pass.</summary>
    /// <param name="text">A question or SQL query with placeholders.</param>
    /// <param name="values">Placeholder name to value.</param>
    public static string Fill(string text, IReadOnlyDictionary<string, string> values)
    {
        if (values.Count == 0) return text;
        var names = values.Keys.OrderByDescending(k => k.Length).Select(Regex.Escape);
        var pattern = new Regex($"(?<![A-Za-z0-9_])(?:{string.Join("|", names)})(?![A-Za-z0-9_])", RegexOptions.CultureInvariant);
        return pattern.Replace(text, m => values[m.Value]);
    }

    static string SplitValue(JsonElement e) => e.ValueKind == JsonValueKind.Number ? e.GetRawText() : e.GetString()!;
}

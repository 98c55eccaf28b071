using System.Text.Json;

namespace Tandem.Tasks.Sql;

/// <summary>
/// Reads Spider (Yu et al., 2018) in its release layout: <c>dev.json</c> (or <c>train_spider.json</c>), with
/// <c>tables.json</c> and <c>database/&lt;db_id&gt;/&lt;db_id&gt;.sqlite</c> beside it. Each example keeps its
/// <c>db_id</c>; <see cref="SqlExample.DbPath"/> is null where the release lacks that database's file (e.g.
/// <c>wta_1</c> in the staged dev copy). Spider's official exact-set-match (component matching) is out of scope
/// here; <see cref="SqlExactMatch"/> gives a normalised string match, which is stricter.
/// </summary>
public static class SpiderReader
{
    /// <summary>Reads the questions and gold queries of one Spider file.</summary>
    /// <param name="folder">The Spider folder (holding the JSON file and <c>database/</c>).</param>
    /// <param name="file">The examples file in it.</param>
    /// <param name="split">The split name the examples get.</param>
    public static IReadOnlyList<SqlExample> Read(string folder, string file = "dev.json", string split = "dev")
    {
        string path = Path.Combine(folder, file);
        if (!File.Exists(path))
            throw new TandemException($"Spider file not found: {path}");
        using var stream = File.OpenRead(path);
        using var doc = JsonDocument.Parse(stream);
        var examples = new List<SqlExample>();
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            string db = e.GetProperty("db_id").GetString()!;
            string dbFile = Path.Combine(folder, "database", db, db + ".sqlite");
            examples.Add(new SqlExample(e.GetProperty("question").GetString()!, e.GetProperty("query").GetString()!, split)
            {
                DbId = db,
                DbPath = File.Exists(dbFile) ? dbFile : null,
            });
        }
        return examples;
    }

    /// <summary>
    /// Reads Spider's <c>tables.json</c>: for each <c>db_id</c>, its tables with original names, column types,
    /// primary and foreign keys (no sample values: the file has none).
    /// </summary>
    /// <param name="folder">The Spider folder holding <c>tables.json</c>.</param>
    public static IReadOnlyDictionary<string, DatabaseSchema> ReadTables(string folder)
    {
        string path = Path.Combine(folder, "tables.json");
        if (!File.Exists(path))
            throw new TandemException($"Spider tables file not found: {path}");
        using var stream = File.OpenRead(path);
        using var doc = JsonDocument.Parse(stream);
        var result = new Dictionary<string, DatabaseSchema>(StringComparer.Ordinal);
        foreach (var db in doc.RootElement.EnumerateArray())
            result[db.GetProperty("db_id").GetString()!] = Schema(db);
        return result;
    }

    static DatabaseSchema Schema(JsonElement db)
    {
        var tableNames = db.GetProperty("table_names_original").EnumerateArray().Select(t => t.GetString()!).ToArray();
        var columns = db.GetProperty("column_names_original").EnumerateArray()
            .Select(c => (Table: c[0].GetInt32(), Name: c[1].GetString()!)).ToArray();
        var types = db.GetProperty("column_types").EnumerateArray().Select(t => t.GetString()!).ToArray();
        var primary = new HashSet<int>();
        foreach (var pk in db.GetProperty("primary_keys").EnumerateArray())
        {
            if (pk.ValueKind == JsonValueKind.Array) foreach (var p in pk.EnumerateArray()) primary.Add(p.GetInt32());
            else primary.Add(pk.GetInt32());
        }
        var tables = new List<TableSchema>();
        for (int t = 0; t < tableNames.Length; t++)
        {
            var cols = new List<ColumnSchema>();
            var fks = new List<ForeignKey>();
            for (int c = 0; c < columns.Length; c++)
            {
                if (columns[c].Table != t) continue;
                cols.Add(new ColumnSchema(columns[c].Name, types[c], primary.Contains(c), []));
            }
            foreach (var fk in db.GetProperty("foreign_keys").EnumerateArray())
            {
                int from = fk[0].GetInt32(), to = fk[1].GetInt32();
                if (columns[from].Table == t)
                    fks.Add(new ForeignKey(columns[from].Name, tableNames[columns[to].Table], columns[to].Name));
            }
            tables.Add(new TableSchema(tableNames[t], cols, fks));
        }
        return new DatabaseSchema(tables);
    }
}

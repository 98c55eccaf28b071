using System.Globalization;

namespace Tandem.Tasks.Sql;

/// <summary>Reads a <see cref="DatabaseSchema"/> through a <see cref="ReadOnlyDatabase"/>: tables from
/// <c>sqlite_master</c>, columns from <c>PRAGMA table_info</c>, keys from <c>PRAGMA foreign_key_list</c>.</summary>
internal static class SqliteSchemaReader
{
    public static DatabaseSchema Read(ReadOnlyDatabase db, int sampleValues)
    {
        var names = Query(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid")
            .Rows.Select(r => (string)r[0]!).ToList();
        var tables = new List<TableSchema>();
        foreach (string table in names)
        {
            var info = Query(db, $"PRAGMA table_info({Quote(table)})");
            var columns = new List<ColumnSchema>();
            foreach (var r in info.Rows)
            {
                string column = (string)r[1]!;
                var samples = sampleValues <= 0 ? [] : Query(db,
                        $"SELECT DISTINCT {Quote(column)} FROM {Quote(table)} WHERE {Quote(column)} IS NOT NULL LIMIT {sampleValues}")
                    .Rows.Select(v => Text(v[0])).ToList();
                columns.Add(new ColumnSchema(column, (string?)r[2] ?? "", Convert.ToInt64(r[5], CultureInfo.InvariantCulture) > 0, samples));
            }
            var keys = Query(db, $"PRAGMA foreign_key_list({Quote(table)})").Rows
                .Select(r => new ForeignKey((string)r[3]!, (string)r[2]!, r[4] as string ?? "")).ToList();
            tables.Add(new TableSchema(table, columns, keys));
        }
        return new DatabaseSchema(tables);
    }

    static QueryResult Query(ReadOnlyDatabase db, string sql)
    {
        var result = db.Execute(sql);
        if (!result.Succeeded)
            throw new TandemException($"cannot read the schema of {db.Path}: {result.Error}");
        return result;
    }

    static string Quote(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    static string Text(object? value) => value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        byte[] b => "0x" + Convert.ToHexString(b),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "",
    };
}

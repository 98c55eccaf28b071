using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tandem.Tasks.Sql.Fitting;

/// <summary>A column as a fitted model recorded it: its name and declared type.</summary>
/// <param name="Name">The column's name.</param>
/// <param name="Type">The declared type, empty when none.</param>
public sealed record FittedColumn(string Name, string Type);

/// <summary>A table as a fitted model recorded it.</summary>
/// <param name="Name">The table's name.</param>
/// <param name="Columns">Its columns in declaration order.</param>
public sealed record FittedTable(string Name, IReadOnlyList<FittedColumn> Columns);

/// <summary>
/// The schema a model was fitted to (<see cref="SqlFit"/>), kept in the model folder as <see cref="FileName"/>: the
/// database file's name, its tables, columns and types, and a SHA-256 fingerprint of the normalised schema (names
/// and types in lower case, tables and columns sorted by name). <c>tandem ask</c> and <c>tandem serve</c> compare it
/// with the database they are given (<see cref="Warning"/>): a model writes the names it was trained on.
/// </summary>
/// <param name="Database">The database file's name (without its folder).</param>
/// <param name="Fingerprint">SHA-256 of the normalised schema, lower-case hex.</param>
/// <param name="Tables">The tables in the order the database lists them.</param>
public sealed record FittedSchema(string Database, string Fingerprint, IReadOnlyList<FittedTable> Tables)
{
    /// <summary>The file in a model folder.</summary>
    public const string FileName = "sql_schema.json";

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The record of <paramref name="schema"/>, read from the file <paramref name="databasePath"/>.</summary>
    public static FittedSchema Of(DatabaseSchema schema, string databasePath)
    {
        var tables = schema.Tables.Select(t => new FittedTable(t.Name, t.Columns.Select(c => new FittedColumn(c.Name, c.Type)).ToList())).ToList();
        return new FittedSchema(Path.GetFileName(databasePath), FingerprintOf(tables), tables);
    }

    /// <summary>SHA-256 of one line per column, <c>table.column type</c> in lower case, in sorted order.</summary>
    static string FingerprintOf(IEnumerable<FittedTable> tables)
    {
        var lines = Normalised(tables).Select(kv => kv.Key + " " + kv.Value);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", lines))));
    }

    /// <summary>Every column as <c>table.column</c> (and <c>table</c> alone for a table without columns) with its
    /// type, lower case, sorted by name.</summary>
    static SortedDictionary<string, string> Normalised(IEnumerable<FittedTable> tables)
    {
        var columns = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var t in tables)
        {
            string table = t.Name.ToLowerInvariant();
            if (t.Columns.Count == 0) columns[table] = "";
            foreach (var c in t.Columns) columns[table + "." + c.Name.ToLowerInvariant()] = c.Type.Trim().ToLowerInvariant();
        }
        return columns;
    }

    /// <summary>Writes the record into <paramref name="modelDir"/>.</summary>
    public void Save(string modelDir) =>
        File.WriteAllText(Path.Combine(modelDir, FileName), JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>The record in <paramref name="modelDir"/>, or null when the folder has none (a model not made by
    /// <see cref="SqlFit"/>, or an older one).</summary>
    public static FittedSchema? Load(string modelDir)
    {
        var path = Path.Combine(modelDir, FileName);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<FittedSchema>(File.ReadAllText(path), Json) ?? throw new JsonException("null"); }
        catch (JsonException ex) { throw new TandemException($"{path} is not a schema record: {ex.Message}", ex); }
    }

    /// <summary>The first difference between this record and <paramref name="other"/> in name order, e.g. <c>table
    /// city is missing</c>, <c>column state.area has type real, not int</c>; null when the fingerprints agree.</summary>
    public string? FirstDifference(FittedSchema other)
    {
        if (Fingerprint == other.Fingerprint) return null;
        var mine = Normalised(Tables);
        var theirs = Normalised(other.Tables);
        foreach (var key in mine.Keys.Union(theirs.Keys).Order(StringComparer.Ordinal))
        {
            string what = key.Contains('.') ? "column " + key : "table " + key;
            if (!theirs.TryGetValue(key, out var theirType)) return $"{what} is missing";
            if (!mine.TryGetValue(key, out var myType)) return $"{what} is new";
            if (myType != theirType) return $"{what} has type {Shown(theirType)}, not {Shown(myType)}";
        }
        return "the schema differs";
    }

    static string Shown(string type) => type.Length > 0 ? type : "(none)";

    /// <summary>
    /// One line warning that the models in <paramref name="modelDirs"/> were fitted to another schema than
    /// <paramref name="schema"/>'s (read from <paramref name="databasePath"/>), naming the first difference; null when
    /// every recorded schema matches or no model folder has a record.
    /// </summary>
    public static string? Warning(IEnumerable<string> modelDirs, DatabaseSchema schema, string databasePath)
    {
        var given = Of(schema, databasePath);
        foreach (var dir in modelDirs)
            if (Load(dir) is { } fitted && fitted.FirstDifference(given) is { } difference)
                return $"{dir} was fitted to {fitted.Database} (schema {fitted.Fingerprint[..12]}); {given.Database} differs (schema {given.Fingerprint[..12]}): {difference}";
        return null;
    }
}

using System.Text.Json;

namespace Tandem.Tasks.Sql.Fitting;

/// <summary>A pair left out of training because its SQL does not run on the database.</summary>
/// <param name="Line">The line of the pairs file, if known.</param>
/// <param name="Question">The question.</param>
/// <param name="Sql">The SQL as given.</param>
/// <param name="Error">The database's error.</param>
public sealed record SkippedPair(int? Line, string Question, string Sql, string Error);

/// <summary>
/// Runs every pair's SQL on the database (read-only, under the usual limits) before training: a pair whose SQL the
/// database refuses cannot be scored and would teach names the database does not have, so it is listed and skipped,
/// never dropped silently.
/// </summary>
public static class SqlPairCheck
{
    /// <summary>The pairs whose SQL runs on <paramref name="db"/>, and the others with the database's error.</summary>
    public static (List<SqlExample> Runnable, List<SkippedPair> Skipped) Partition(IReadOnlyList<SqlExample> pairs, ReadOnlyDatabase db)
    {
        var runnable = new List<SqlExample>();
        var skipped = new List<SkippedPair>();
        foreach (var pair in pairs)
        {
            var result = db.Execute(pair.Sql);
            if (result.Succeeded) runnable.Add(pair);
            else skipped.Add(new SkippedPair(pair.Line, pair.Question, pair.Sql, result.Error ?? "failed"));
        }
        return (runnable, skipped);
    }

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Writes the skipped pairs as JSON lines (an empty file when there are none).</summary>
    public static void Write(string path, IEnumerable<SkippedPair> skipped) =>
        File.WriteAllLines(path, skipped.Select(p => JsonSerializer.Serialize(p, Json)));

    /// <summary>One line per skipped pair, for the log: <c>line 7: no such column: FOO</c>.</summary>
    public static string Describe(SkippedPair p) => $"{(p.Line is { } l ? $"line {l}" : p.Question)}: {p.Error}";
}

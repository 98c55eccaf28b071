using System.Text.RegularExpressions;

namespace Tandem.Tasks.Sql;

/// <summary>
/// Training-data augmentation by re-filling: a text2sql-data sentence is a template (<c>what is the capital of
/// state_name0</c>) filled with one value (<c>texas</c>); re-filling its placeholders with other values of the same
/// type from the database gives new, correct pairs (<c>... of ohio</c>, with the SQL's literal changed to match).
/// A small training set names the same few entities again and again, so a model learns to write the frequent name
/// rather than copy the one in the question; re-filled copies teach it to copy.
/// <para>Where the values come from: for each variable type (<c>state_name</c>, <c>river_name</c>, ...) the text column
/// of the database whose distinct values best match (Jaccard, ignoring case) the values that type takes in the
/// examples given, provided it holds at least <see cref="MinCoverage"/> of them. Types without such a column
/// (numbers, free text) are never re-filled. Only the examples passed in are read, so passing the training split
/// alone keeps dev and test out of it.</para>
/// </summary>
public static class SqlValueAugmenter
{
    /// <summary>The share of a type's observed values a column must hold to be that type's source of values.</summary>
    public const double MinCoverage = 0.8;

    /// <summary>
    /// New examples: <paramref name="copies"/> re-filled variants of every example in <paramref name="train"/> with a
    /// re-fillable placeholder in its question (see <see cref="SqlValueAugmenter"/>). Variants equal to an example
    /// already present are skipped, so fewer may come back. The originals are not included. Deterministic for a
    /// given <paramref name="seed"/>.
    /// </summary>
    /// <param name="train">Training examples with <see cref="SqlExample.Template"/> (others are ignored).</param>
    /// <param name="db">The database the examples query.</param>
    /// <param name="copies">Variants to make of each template (0 for none).</param>
    /// <param name="seed">Seed of the value choice.</param>
    public static IReadOnlyList<SqlExample> Augment(IReadOnlyList<SqlExample> train, ReadOnlyDatabase db, int copies, int seed = 1)
    {
        if (copies < 0) throw new TandemException($"augmentation copies must be 0 or more, got {copies}");
        if (copies == 0) return [];
        var pools = ValuePools(train, db);
        var seen = new HashSet<(string, string)>(train.Select(e => (e.Question, e.Sql)));
        var random = new Random(seed);
        var added = new List<SqlExample>();
        foreach (var e in train)
        {
            if (e.Template is not { } t) continue;
            var slots = Refillable(t).Where(n => pools.ContainsKey(t.Types[n])).ToList();
            if (slots.Count == 0) continue;
            for (int c = 0; c < copies; c++)
            {
                var values = new Dictionary<string, string>(t.Values, StringComparer.Ordinal);
                var taken = new HashSet<string>(slots.Select(n => t.Values[n]), StringComparer.OrdinalIgnoreCase);
                foreach (var name in slots)
                {
                    var pool = pools[t.Types[name]];
                    var free = pool.Where(v => !taken.Contains(v)).ToList();
                    if (free.Count == 0) continue;
                    values[name] = free[random.Next(free.Count)];
                    taken.Add(values[name]);
                }
                var variant = new SqlExample(Text2SqlReader.Fill(t.Question, values), Text2SqlReader.Fill(t.Sql, values), e.Split)
                {
                    DbId = e.DbId, DbPath = e.DbPath, Template = t with { Values = values },
                };
                if (seen.Add((variant.Question, variant.Sql))) added.Add(variant);
            }
        }
        return added;
    }

    /// <summary>
    /// Each re-fillable variable type and the database column its values are drawn from (see
    /// <see cref="SqlValueAugmenter"/>), judged on the values the types take in <paramref name="examples"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, (string Table, string Column)> ValueColumns(IEnumerable<SqlExample> examples, ReadOnlyDatabase db) =>
        Match(examples, db).ToDictionary(m => m.Key, m => m.Value.Column);

    static Dictionary<string, string[]> ValuePools(IEnumerable<SqlExample> examples, ReadOnlyDatabase db) =>
        Match(examples, db).ToDictionary(m => m.Key, m => m.Value.Values);

    static Dictionary<string, ((string Table, string Column) Column, string[] Values)> Match(IEnumerable<SqlExample> examples, ReadOnlyDatabase db)
    {
        var observed = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var t in examples.Select(e => e.Template).OfType<SqlTemplate>())
            foreach (var name in Refillable(t))
            {
                if (!observed.TryGetValue(t.Types[name], out var set)) observed[t.Types[name]] = set = new(StringComparer.OrdinalIgnoreCase);
                set.Add(t.Values[name]);
            }
        var result = new Dictionary<string, ((string, string), string[])>(StringComparer.Ordinal);
        if (observed.Count == 0) return result;
        var columns = TextColumns(db);
        foreach (var (type, values) in observed)
        {
            var best = columns
                .Select(c => (c.Column, c.Values, Hits: c.Values.Count(values.Contains)))
                .Where(c => c.Hits >= MinCoverage * values.Count)
                .Select(c => (c.Column, c.Values, Jaccard: c.Hits / (double)(values.Count + c.Values.Length - c.Hits)))
                .OrderByDescending(c => c.Jaccard).FirstOrDefault();
            if (best.Values is not null) result[type] = (best.Column, best.Values);
        }
        return result;
    }

    /// <summary>Every text column with its distinct values, minus values a quote would break.</summary>
    static List<((string Table, string Column) Column, string[] Values)> TextColumns(ReadOnlyDatabase db)
    {
        var list = new List<((string, string), string[])>();
        foreach (var table in db.ReadSchema(sampleValues: 0).Tables)
            foreach (var column in table.Columns)
            {
                var values = db.DistinctText(table.Name, column.Name)?
                    .Where(v => v.Trim().Length > 0 && v.IndexOfAny(['"', '\'']) < 0)
                    .Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
                if (values is { Length: > 0 }) list.Add(((table.Name, column.Name), values));
            }
        return list;
    }

    /// <summary>Placeholders with a type and a non-empty value that the question names (not SQL-only ones).</summary>
    static IEnumerable<string> Refillable(SqlTemplate t) =>
        t.Types.Keys.Where(n => t.Values.TryGetValue(n, out var v) && v.Length > 0
                                && Regex.IsMatch(t.Question, $"(?<![A-Za-z0-9_]){Regex.Escape(n)}(?![A-Za-z0-9_])"));
}

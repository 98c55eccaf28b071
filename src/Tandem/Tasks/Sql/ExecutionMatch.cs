using System.Globalization;

namespace Tandem.Tasks.Sql;

/// <summary>
/// Execution accuracy: a prediction is right when it runs without error and returns the same rows as the gold
/// query.
/// <list type="bullet">
/// <item>Rows are compared as a multiset (order ignored, duplicates counted), or as a list in order when the gold
/// query contains <c>ORDER BY</c> anywhere outside string literals (the same test Spider's evaluation uses).</item>
/// <item>Columns are compared by position; names are ignored; the number of columns must agree.</item>
/// <item>Values (<see cref="Canonical"/>): numbers compare by value whatever their storage class, so
/// <c>1</c> (integer) equals <c>1.0</c> (real); reals are rounded to 12 significant digits so that the same
/// arithmetic in another order (<c>AVG</c>, sums of reals) still agrees. Text is compared exactly (ordinal, case
/// and spaces count) and never equals a number (<c>'1'</c> is not <c>1</c>). Blobs compare by bytes. NULL equals
/// only NULL.</item>
/// <item>If either side failed, or either was cut by the row cap, it is not a match.</item>
/// </list>
/// </summary>
public static class ExecutionMatch
{
    /// <summary>Whether <paramref name="predicted"/> returned the same rows as <paramref name="gold"/>.</summary>
    /// <param name="predicted">The prediction's result.</param>
    /// <param name="gold">The gold query's result.</param>
    /// <param name="ordered">Compare rows in order (see <see cref="HasOrderBy"/>).</param>
    public static bool Same(QueryResult predicted, QueryResult gold, bool ordered)
    {
        if (!predicted.Succeeded || !gold.Succeeded || predicted.Truncated || gold.Truncated) return false;
        if (predicted.Rows.Count != gold.Rows.Count || predicted.Columns.Count != gold.Columns.Count) return false;
        var p = predicted.Rows.Select(RowKey).ToList();
        var g = gold.Rows.Select(RowKey).ToList();
        if (!ordered)
        {
            p.Sort(StringComparer.Ordinal);
            g.Sort(StringComparer.Ordinal);
        }
        return p.SequenceEqual(g, StringComparer.Ordinal);
    }

    /// <summary>Runs both queries on <paramref name="db"/> and compares them, ordered iff the gold has ORDER BY.</summary>
    /// <param name="db">The database.</param>
    /// <param name="predictedSql">The model's query.</param>
    /// <param name="goldSql">The gold query.</param>
    public static bool Same(ReadOnlyDatabase db, string predictedSql, string goldSql) =>
        Same(db.Execute(predictedSql), db.Execute(goldSql), HasOrderBy(goldSql));

    /// <summary>Whether the query has <c>ORDER BY</c> outside string literals (at any nesting level).</summary>
    /// <param name="sql">A query.</param>
    public static bool HasOrderBy(string sql)
    {
        var tokens = SqlLexer.Tokenize(sql);
        for (int i = 0; i + 1 < tokens.Count; i++)
        {
            if (tokens[i].Kind == SqlTokenKind.Word && tokens[i + 1].Kind == SqlTokenKind.Word
                && tokens[i].Text.Equals("order", StringComparison.OrdinalIgnoreCase)
                && tokens[i + 1].Text.Equals("by", StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    /// <summary>
    /// The text a value is compared by: <c>n:</c> and the number for integers and reals (an integral real is
    /// written as an integer, others with 12 significant digits), <c>s:</c> and the text, <c>b:</c> and hex bytes,
    /// <c>null</c>.
    /// </summary>
    /// <param name="value">A value as <see cref="QueryResult.Rows"/> holds it.</param>
    public static string Canonical(object? value) => value switch
    {
        null or DBNull => "null",
        long l => "n:" + l.ToString(CultureInfo.InvariantCulture),
        int i => "n:" + i.ToString(CultureInfo.InvariantCulture),
        double d => "n:" + Number(d),
        float f => "n:" + Number(f),
        decimal m => "n:" + Number((double)m),
        string s => "s:" + s,
        byte[] b => "b:" + Convert.ToHexString(b),
        IFormattable f => "s:" + f.ToString(null, CultureInfo.InvariantCulture),
        _ => "s:" + value,
    };

    static string Number(double d)
    {
        if (double.IsFinite(d) && Math.Abs(d) < 9.007199254740992e15 && d == Math.Floor(d))
            return ((long)d).ToString(CultureInfo.InvariantCulture);
        double rounded = double.Parse(d.ToString("G12", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        if (double.IsFinite(rounded) && Math.Abs(rounded) < 9.007199254740992e15 && rounded == Math.Floor(rounded))
            return ((long)rounded).ToString(CultureInfo.InvariantCulture);
        return rounded.ToString("R", CultureInfo.InvariantCulture);
    }

    // Length-prefixed, so that no two different rows share a key.
    static string RowKey(object?[] row) => string.Concat(row.Select(v => Canonical(v) is var c ? c.Length + ":" + c : ""));
}

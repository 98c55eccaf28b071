namespace Tandem.Tasks.Sql;

/// <summary>
/// What running one query gave: its columns and rows, or the database's error. Never thrown: an invalid query,
/// a refused statement or a timeout is a result with <see cref="Error"/> set.
/// </summary>
public sealed class QueryResult
{
    /// <summary>The result's column names (empty on error).</summary>
    public IReadOnlyList<string> Columns { get; init; } = [];

    /// <summary>The rows read, at most the row cap; values are <c>long</c>, <c>double</c>, <c>string</c>,
    /// <c>byte[]</c> or null, as SQLite stores them.</summary>
    public IReadOnlyList<object?[]> Rows { get; init; } = [];

    /// <summary>True when the query had more rows than the cap and <see cref="Rows"/> holds only the first ones.</summary>
    public bool Truncated { get; init; }

    /// <summary>The database's message when the query failed (e.g. <c>no such column: X</c>,
    /// <c>not authorized</c>), or the time limit's; null on success.</summary>
    public string? Error { get; init; }

    /// <summary>True when the time limit stopped the query.</summary>
    public bool TimedOut { get; init; }

    /// <summary>How long the query ran, reading rows included.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Whether the query ran to completion without error (it may still be <see cref="Truncated"/>).</summary>
    public bool Succeeded => Error is null;
}

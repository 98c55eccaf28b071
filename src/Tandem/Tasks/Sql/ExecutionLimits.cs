namespace Tandem.Tasks.Sql;

/// <summary>Bounds on running one query.</summary>
public sealed record ExecutionLimits
{
    /// <summary>Wall-clock milliseconds a query may run before it is interrupted (default 5000).</summary>
    public int TimeLimitMs { get; init; } = 5000;

    /// <summary>Rows read at most; a query with more is marked <see cref="QueryResult.Truncated"/> (default 10000).</summary>
    public int MaxRows { get; init; } = 10_000;

    /// <summary>Bytes of text and blob values one query may return in all, and the longest string or blob SQLite
    /// may build while it runs (its <c>SQLITE_LIMIT_LENGTH</c>), so <c>randomblob(1e9)</c> or a <c>zeroblob</c> read
    /// back fails instead of taking gigabytes (default 16 MiB).</summary>
    public int MaxResultBytes { get; init; } = 16 << 20;

    /// <summary>The longest query text in bytes (SQLite's <c>SQLITE_LIMIT_SQL_LENGTH</c>; default 1 MiB).</summary>
    public int MaxSqlBytes { get; init; } = 1 << 20;

    /// <summary>Heap SQLite may use in this process, all connections together (its hard heap limit: an allocation
    /// past it fails the query with "out of memory"). Process-wide, so opening a database only ever lowers the
    /// limit in place (default 512 MiB).</summary>
    public long SqliteHeapBytes { get; init; } = 512L << 20;

    internal void Validate()
    {
        if (TimeLimitMs <= 0) throw new TandemException($"TimeLimitMs must be positive, got {TimeLimitMs}");
        if (MaxRows <= 0) throw new TandemException($"MaxRows must be positive, got {MaxRows}");
        if (MaxResultBytes <= 0) throw new TandemException($"MaxResultBytes must be positive, got {MaxResultBytes}");
        if (MaxSqlBytes <= 0) throw new TandemException($"MaxSqlBytes must be positive, got {MaxSqlBytes}");
        if (SqliteHeapBytes <= 0) throw new TandemException($"SqliteHeapBytes must be positive, got {SqliteHeapBytes}");
    }
}

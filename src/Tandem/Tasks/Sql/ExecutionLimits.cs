namespace Tandem.Tasks.Sql;

/// <summary>Bounds on running one query.</summary>
public sealed record ExecutionLimits
{
    /// <summary>Wall-clock milliseconds a query may run before it is interrupted (default 5000).</summary>
    public int TimeLimitMs { get; init; } = 5000;

    /// <summary>Rows read at most; a query with more is marked <see cref="QueryResult.Truncated"/> (default 10000).</summary>
    public int MaxRows { get; init; } = 10_000;

    /// <summary>SQLite virtual-machine steps between two checks of the clock (default 1000).</summary>
    public int CheckEveryInstructions { get; init; } = 1000;

    internal void Validate()
    {
        if (TimeLimitMs <= 0) throw new TandemException($"TimeLimitMs must be positive, got {TimeLimitMs}");
        if (MaxRows <= 0) throw new TandemException($"MaxRows must be positive, got {MaxRows}");
        if (CheckEveryInstructions <= 0) throw new TandemException($"CheckEveryInstructions must be positive, got {CheckEveryInstructions}");
    }
}

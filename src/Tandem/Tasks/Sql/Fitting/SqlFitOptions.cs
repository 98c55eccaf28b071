namespace Tandem.Tasks.Sql.Fitting;

/// <summary>What <see cref="SqlFit"/> fits: a database, question/SQL pairs on it, where to write; the recipe's settings
/// are <see cref="SqlRecipeOptions"/>'s, GeoQuery's defaults.</summary>
public sealed class SqlFitOptions : SqlRecipeOptions
{
    /// <summary>The SQLite file (opened read-only).</summary>
    public required string DatabasePath { get; init; }
    /// <summary>The pairs: JSON lines, CSV or TSV (<see cref="SqlPairFiles.Read"/>).</summary>
    public required string PairsPath { get; init; }
    /// <summary>The output folder: <c>model/</c>, <c>fit.json</c>, <c>skipped.jsonl</c>, <c>dev_predictions.jsonl</c>,
    /// <c>data/</c> and the training run <c>run/</c>.</summary>
    public string OutDir { get; init; } = "runs/sql-fit";
    /// <summary>The share of runnable pairs held out as dev and reported (<see cref="SqlSplits.HoldOutFraction"/>);
    /// 0 trains on every pair and reports nothing.</summary>
    public double DevFraction { get; init; } = 0.1;
}

/// <summary>What <see cref="SqlFit"/> did.</summary>
/// <param name="ModelDir">The fitted model folder (<c>OUT/model</c>), with its <see cref="FittedSchema"/>.</param>
/// <param name="Pairs">Pairs read.</param>
/// <param name="Skipped">Pairs whose SQL did not run, skipped.</param>
/// <param name="Train">Pairs trained on.</param>
/// <param name="DevPredictions">The dev pairs' predictions (empty with a dev fraction of 0).</param>
/// <param name="Steps">Optimiser steps.</param>
/// <param name="Minutes">Training wall-clock minutes.</param>
public sealed record SqlFitResult(string ModelDir, int Pairs, IReadOnlyList<SkippedPair> Skipped, int Train,
    IReadOnlyList<SqlPrediction> DevPredictions, long Steps, double Minutes)
{
    /// <summary>Exact match on dev, null without dev.</summary>
    public double? DevExactMatch => DevPredictions.Count > 0 ? DevPredictions.Count(p => p.ExactMatch) / (double)DevPredictions.Count : null;
    /// <summary>Execution accuracy on dev, null without dev.</summary>
    public double? DevExecutionAccuracy => DevPredictions.Count > 0 ? DevPredictions.Count(p => p.ExecutionMatch) / (double)DevPredictions.Count : null;
}

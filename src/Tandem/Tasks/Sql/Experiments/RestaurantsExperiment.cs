using System.Globalization;
using System.Text.Json;
using Tandem.Evaluation.Results;
using Tandem.Tasks.Sql.Fitting;
using Tandem.Training;

namespace Tandem.Tasks.Sql.Experiments;

/// <summary>Options of the restaurants cross-validation (the recipe's settings are <see cref="SqlRecipeOptions"/>'s,
/// GeoQuery's defaults; <see cref="SqlRecipeOptions.Minutes"/> is the budget of each fold).</summary>
public sealed class RestaurantsOptions : SqlRecipeOptions
{
    /// <summary>The text2sql-data folder (with <c>data/restaurants.json</c> and <c>derived/restaurants-fixed-id.sqlite</c>).</summary>
    public required string DataDir { get; init; }
    /// <summary>The folds to test, 0 to 9; a subset (for a quick check) writes no row.</summary>
    public IReadOnlyList<int> Folds { get; init; } = Enumerable.Range(0, 10).ToList();
    /// <summary>Folder of the run: one sub-folder per fold, <c>folds.json</c>, the pooled predictions.</summary>
    public string RunDir { get; init; } = "runs/restaurants";
    /// <summary>Folder of result rows; <see cref="ResultsFile"/> is regenerated from all of them.</summary>
    public string ResultsDir { get; init; } = "docs/results";
    /// <summary>The generated results table.</summary>
    public string ResultsFile { get; init; } = "docs/RESULTS.md";
}

/// <summary>One fold's numbers.</summary>
/// <param name="Fold">The fold tested, 0 to 9.</param>
/// <param name="Train">Questions trained on (the other nine folds).</param>
/// <param name="Test">Questions tested.</param>
/// <param name="ExactMatch">Exact matches.</param>
/// <param name="ExecutionMatch">Execution matches.</param>
/// <param name="Steps">Optimiser steps.</param>
/// <param name="Seconds">Training wall-clock seconds.</param>
public sealed record FoldResult(int Fold, int Train, int Test, int ExactMatch, int ExecutionMatch, long Steps, double Seconds);

/// <summary>What the cross-validation measured; <see cref="Row"/> is null when only some folds ran.</summary>
public sealed record RestaurantsResult(IReadOnlyList<FoldResult> Folds, IReadOnlyList<SqlPrediction> Predictions, ResultRow? Row);

/// <summary>
/// The recipe on a domain it was not tuned on: text2sql-data's restaurants (378 questions, question split), which has
/// no fixed test set but 10 folds. As upstream evaluates it, each fold is tested by a model fitted on the other nine
/// (<see cref="SqlFit.Fit"/>, the code and defaults of <c>tandem sql fit</c>: no dev, the last checkpoint); the row
/// pools the ten folds' predictions (exact match and execution accuracy over all questions) and sums their steps and
/// training time. Each fold's model and checkpoints are deleted once it is tested (ten models would take gigabytes);
/// its numbers are kept in <c>folds.json</c> and its predictions in <c>predictions.jsonl</c>.
/// </summary>
public static class RestaurantsExperiment
{
    /// <summary>Runs the folds, writes <c>folds.json</c>, and with all ten the row and the results table.</summary>
    public static RestaurantsResult Run(RestaurantsOptions o, IProgress<TrainProgress>? progress = null, Action<string>? log = null)
    {
        log ??= _ => { };
        if (o.Folds.Count == 0 || o.Folds.Any(f => f is < 0 or > 9) || o.Folds.Distinct().Count() != o.Folds.Count)
            throw new TandemException($"folds must be distinct numbers from 0 to 9, got '{string.Join(",", o.Folds)}'");
        var variant = ExperimentVariant.Find(o.Variant);
        var examples = Text2SqlReader.ReadDataset(o.DataDir, "restaurants");
        var dbPath = examples.FirstOrDefault()?.DbPath
                     ?? throw new TandemException($"{o.DataDir}: no restaurants database found (derived/restaurants-fixed-id.sqlite)");
        if (Directory.Exists(o.RunDir)) Directory.Delete(o.RunDir, recursive: true);
        log($"restaurants question split: {examples.Count} questions in 10 folds; each fold is tested by a model trained on the other nine for at most {o.MaxSteps} steps and {o.Minutes:G4} min");
        var folds = new List<FoldResult>();
        var predictions = new List<SqlPrediction>();
        foreach (int fold in o.Folds)
        {
            var splits = SqlSplits.CrossValidation(examples, fold);
            var foldDir = Path.Combine(o.RunDir, $"fold-{fold}");
            log($"fold {fold}: training on {splits.Train.Count}, testing {splits.Test.Count}");
            var model = SqlFit.Fit(o, splits.Train, dbPath, foldDir, progress, log);
            var tested = SqlRecipe.Test(o, [model.Checkpoint], dbPath, splits.Test);
            SqlPredictionFile.Write(Path.Combine(foldDir, "test_predictions.jsonl"), tested);
            predictions.AddRange(tested);
            var result = new FoldResult(fold, splits.Train.Count, tested.Count, tested.Count(p => p.ExactMatch), tested.Count(p => p.ExecutionMatch), model.Steps, Math.Round(model.Seconds, 1));
            folds.Add(result);
            log(string.Create(CultureInfo.InvariantCulture,
                $"fold {fold}: exact match {result.ExactMatch}/{result.Test}, execution {result.ExecutionMatch}/{result.Test} ({result.Steps} steps, {result.Seconds / 60:F1} min)"));
            foreach (var done in new[] { model.Checkpoint, Path.Combine(foldDir, "run", "checkpoints") })
                if (Directory.Exists(done)) Directory.Delete(done, recursive: true);
        }
        File.WriteAllText(Path.Combine(o.RunDir, "folds.json"),
            JsonSerializer.Serialize(folds, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }) + "\n");
        SqlPredictionFile.Write(Path.Combine(o.RunDir, "predictions.jsonl"), predictions);
        ResultRow? row = null;
        if (folds.Count == 10)
        {
            string minutes = o.Minutes.ToString("G4", CultureInfo.InvariantCulture);
            row = SqlRecipe.Row(variant.TableName, "restaurants question/10-fold", predictions,
                $"10 folds, each trained on the other nine for at most {o.MaxSteps} steps and {minutes} min, last checkpoint" + SqlRecipe.Describe(o),
                folds.Sum(f => f.Steps), folds.Sum(f => f.Seconds), o.Command);
            row.Save(o.ResultsDir);
            ResultsTable.Write(o.ResultsDir, o.ResultsFile);
        }
        return new RestaurantsResult(folds, predictions, row);
    }
}

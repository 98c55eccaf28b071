using System.Diagnostics;
using Tandem.Evaluation.Results;
using Tandem.Tasks.Sql.Fitting;
using Tandem.Training;

namespace Tandem.Tasks.Sql.Experiments;

/// <summary>Options of one row of the GeoQuery experiment (the recipe's settings are <see cref="SqlRecipeOptions"/>'s).</summary>
public sealed class ExperimentOptions : SqlRecipeOptions
{
    /// <summary>question (new questions at test time) or query (new SQL structures at test time).</summary>
    public Text2SqlSplitKind Split { get; init; } = Text2SqlSplitKind.Question;
    /// <summary>The text2sql-data folder (with <c>data/geography.json</c> and <c>derived/geography-v4.sqlite</c>).</summary>
    public required string DataDir { get; init; }
    /// <summary>The row's model name when it is not the variant's (e.g. <c>MiniLM2SQLBERT</c> for <c>bert2dec</c>).</summary>
    public string? ModelName { get; init; }
    /// <summary>Said after the fine-tuning budget in the row's "trained on" cell, e.g. how the decoder was pre-trained.</summary>
    public string? TrainingNote { get; init; }
    /// <summary>Skip training and evaluate these model folders (checkpoints of earlier runs; several: an ensemble).</summary>
    public IReadOnlyList<string> Checkpoints { get; init; } = [];
    /// <summary>Models trained and decoded together (<see cref="Generation.Ensemble"/>): each gets <see cref="SqlRecipeOptions.Minutes"/> / N and
    /// its own seed, so the row's whole budget stays <see cref="SqlRecipeOptions.Minutes"/>.</summary>
    public int Ensemble { get; init; } = 1;
    /// <summary>The split evaluated: test (reported once, a result row is saved) or dev (for choices; no row).</summary>
    public string EvalSplit { get; init; } = "test";
    /// <summary>Train on train and dev together and test the last checkpoint: upstream text2sql-data's test-time
    /// protocol for the larger datasets. Off: dev picks the checkpoint (and is the set to use for choices, with
    /// <see cref="EvalSplit"/> = dev).</summary>
    public bool TrainOnDev { get; init; } = true;
    /// <summary>Cross-validation for choices (<see cref="SqlSplits.HoldOutFold"/>): fold <c>Index</c> of <c>Count</c> of
    /// train+dev is evaluated (<see cref="EvalSplit"/> must be dev), the model trains on the other folds as a row does
    /// (no evaluation while training, the last checkpoint). Null: the standard splits.</summary>
    public (int Index, int Count)? Fold { get; init; }
    /// <summary>Folder of the run (checkpoints, metrics, plots, predictions).</summary>
    public string RunDir { get; init; } = "runs/geoquery";
    /// <summary>Folder of result rows; <see cref="ResultsFile"/> is regenerated from all of them.</summary>
    public string ResultsDir { get; init; } = "docs/results";
    /// <summary>The generated results table.</summary>
    public string ResultsFile { get; init; } = "docs/RESULTS.md";
}

/// <summary>What one experiment row measured.</summary>
public sealed record ExperimentResult(ResultRow Row, IReadOnlyList<string> ModelDirs, string DatabasePath, IReadOnlyList<SqlPrediction> Predictions);

/// <summary>
/// Fine-tunes a warm-started model on GeoQuery and reports exact match and execution accuracy on the test split
/// once. By default it trains on train+dev and tests the last checkpoint (upstream's test-time protocol, with the
/// weight average making the last checkpoint a safe choice); with <see cref="ExperimentOptions.TrainOnDev"/> off it
/// trains on train and dev picks the checkpoint, which is how every choice of the recipe was made. Targets are the gold SQL after
/// <see cref="SqlTargetNormalizer"/> (execution-equivalent, 30% fewer WordPiece tokens); exact match compares the
/// prediction with the normalised gold, execution accuracy runs it against the original gold on the real database.
/// </summary>
public static class GeoQueryExperiment
{
    /// <summary>Runs one row: train within the budget, test, save the row, regenerate the results table.</summary>
    public static ExperimentResult Run(ExperimentOptions o, IProgress<TrainProgress>? progress = null, Action<string>? log = null)
    {
        log ??= _ => { };
        if (o.EvalSplit is not ("test" or "dev")) throw new TandemException($"eval split must be test or dev, got '{o.EvalSplit}'");
        if (o.Fold is not null && o.EvalSplit != "dev") throw new TandemException("a held-out fold is for choices: evaluate it with --eval-split dev");
        if (o.EvalSplit == "dev" && o.TrainOnDev && o.Fold is null && o.Checkpoints.Count == 0)
            throw new TandemException("evaluating on dev needs a model that did not train on it: add --train-on train (or --fold)");
        var variant = ExperimentVariant.Find(o.Variant);
        var examples = Text2SqlReader.ReadDataset(o.DataDir, "geography", o.Split);
        var dbPath = examples.FirstOrDefault()?.DbPath ?? throw new TandemException($"{o.DataDir}: no geography database found");
        var splits = SqlSplits.Standard(examples);
        if (o.Fold is { } heldOut) splits = splits.HoldOutFold(heldOut.Index, heldOut.Count);
        // A held-out fold trains as a row does: on everything else, no evaluation while training, the last checkpoint.
        bool watchDev = !o.TrainOnDev && o.Fold is null;
        string split = o.Split == Text2SqlSplitKind.Question ? "question" : "query";
        var evalSet = o.EvalSplit == "dev" ? splits.Dev : splits.Test;
        var trainSet = o.TrainOnDev && o.Fold is null ? [.. splits.Train, .. splits.Dev] : splits.Train;
        int members = o.Ensemble;
        if (members < 1) throw new TandemException($"an ensemble needs at least 1 member, got {members}");
        var modelDirs = new List<string>();
        string runDir;
        long steps = 0;
        double trainSeconds = 0;
        if (o.Checkpoints.Count > 0)
        {
            foreach (var checkpoint in o.Checkpoints)
            {
                // The row states the whole run's budget: the last checkpoint of the run, not the one chosen on dev.
                var last = Directory.GetDirectories(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!)
                    .Where(d => File.Exists(Path.Combine(d, TrainerState.FileName)))
                    .Select(TrainerState.Load).MaxBy(st => st.Step) ?? TrainerState.Load(checkpoint);
                (steps, trainSeconds) = (steps + last.Step, trainSeconds + last.ElapsedSeconds);
                modelDirs.Add(checkpoint);
            }
            runDir = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(o.Checkpoints[0]))!)!;
            log($"evaluating {string.Join(", ", o.Checkpoints)} without training (trained {steps} steps in {trainSeconds / 60:F1} min)");
        }
        else
        {
            string fold = o.Fold is { } f ? $"-fold{f.Index}of{f.Count}" : "";
            runDir = Path.Combine(o.RunDir, $"{variant.Name}-{split}{fold}{(members > 1 ? $"-x{members}" : "")}");
            if (Directory.Exists(runDir)) Directory.Delete(runDir, recursive: true);
            var dataDir = Path.Combine(runDir, "data");
            int refilled = SqlRecipe.Export(o, splits with { Train = trainSet, Dev = watchDev ? splits.Dev : [] }, dbPath, dataDir);
            string extra = refilled > 0 ? $" + {refilled} re-filled" : "";
            log(o.Fold is { } held
                ? $"geography {split} split, train+dev in {held.Count} folds: fold {held.Index} ({splits.Dev.Count}) held out for choices, training on the other {splits.Train.Count}{extra} (the last checkpoint is evaluated)"
                : o.TrainOnDev
                ? $"geography {split} split: train {splits.Train.Count} + dev {splits.Dev.Count}{extra} (the last checkpoint is tested), test {splits.Test.Count} (reported once)"
                : $"geography {split} split: train {splits.Train.Count}{extra}, dev {splits.Dev.Count} (checkpoint choice), test {splits.Test.Count} (reported once)");
            for (int k = 0; k < members; k++)
            {
                var memberDir = members > 1 ? Path.Combine(runDir, $"member-{k + 1}") : runDir;
                if (members > 1) log($"ensemble member {k + 1} of {members}: seed {o.Seed + k}, {o.Minutes / members:G4} minutes");
                var trained = SqlRecipe.Train(o, dataDir, memberDir, o.Seed + k, o.Minutes / members, watchDev, progress, log);
                (steps, trainSeconds) = (steps + trained.Steps, trainSeconds + trained.Seconds);
                modelDirs.Add(trained.Checkpoint);
            }
        }
        log($"evaluating {string.Join(" + ", modelDirs)} on {evalSet.Count} {o.EvalSplit} questions");
        var testClock = Stopwatch.StartNew();
        var predictions = SqlRecipe.Test(o, modelDirs, dbPath, evalSet);
        double testSeconds = testClock.Elapsed.TotalSeconds;
        SqlPredictionFile.Write(Path.Combine(runDir, $"{o.EvalSplit}_predictions.jsonl"), predictions);
        string name = o.ModelName ?? variant.TableName;
        var row = SqlRecipe.Row(members > 1 ? $"{name}, ensemble of {members}" : name,
            $"geography {split}/{o.EvalSplit}{(o.Fold is { } h ? $" (fold {h.Index} of {h.Count})" : "")}",
            predictions, Describe(o), steps, trainSeconds, o.Command, testSeconds);
        if (o.EvalSplit == "test")
        {
            row.Save(o.ResultsDir);
            ResultsTable.Write(o.ResultsDir, o.ResultsFile);
        }
        return new ExperimentResult(row, modelDirs, dbPath, predictions);
    }

    /// <summary>The row's "trained on" cell: data, the checkpoint tested, the weight average.</summary>
    static string Describe(ExperimentOptions o)
    {
        string data = o.Fold is { } f ? $"train+dev less fold {f.Index} of {f.Count}, last checkpoint"
            : o.TrainOnDev ? "train+dev, last checkpoint" : "train, dev-best checkpoint";
        if (o.Checkpoints.Count > 0) data = "checkpoints given";
        if (o.Ensemble > 1 && o.Checkpoints.Count == 0) data += $", {o.Ensemble} seeds x {o.Minutes / o.Ensemble:G3} min";
        return data + SqlRecipe.Describe(o) + (o.TrainingNote is { } note ? "; " + note : "");
    }
}

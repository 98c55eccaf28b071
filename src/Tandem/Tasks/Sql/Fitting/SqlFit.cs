using System.Text.Json;
using System.Text.Json.Nodes;
using Tandem.Training;
using Tandem.Training.Optimization;

namespace Tandem.Tasks.Sql.Fitting;

/// <summary>
/// <c>tandem sql fit</c>: the GeoQuery recipe (<see cref="SqlRecipe"/>, with its defaults) on any SQLite database and
/// any question/SQL pairs. Every pair's SQL is run on the database first; those that fail are written to
/// <c>skipped.jsonl</c> with their line and the database's error and left out. A dev share of the rest, chosen by a
/// fixed hash, is held out; the model trains on the others within the time budget, its last checkpoint (with the
/// weight average) is copied to <c>OUT/model</c> with the schema it was fitted to (<see cref="FittedSchema"/>), and
/// is scored on dev: exact match and execution accuracy on the user's own database, in <c>fit.json</c>.
/// </summary>
public static class SqlFit
{
    /// <summary>The file of the fit's numbers in the output folder.</summary>
    public const string ReportFile = "fit.json";
    /// <summary>The file of the skipped pairs in the output folder.</summary>
    public const string SkippedFile = "skipped.jsonl";

    /// <summary>Reads and checks the pairs, holds out dev, fits, scores dev, writes <see cref="ReportFile"/>.</summary>
    public static SqlFitResult Run(SqlFitOptions o, IProgress<TrainProgress>? progress = null, Action<string>? log = null)
    {
        log ??= _ => { };
        if (!File.Exists(o.DatabasePath)) throw new TandemException($"{o.DatabasePath}: database file not found");
        var pairs = SqlPairFiles.Read(o.PairsPath, "train", o.DatabasePath);
        if (pairs.Count == 0) throw new TandemException($"{o.PairsPath}: no question/SQL pairs in the file");
        var splits = SqlSplits.HoldOutFraction([], o.DevFraction);     // checks the fraction before anything is written
        Directory.CreateDirectory(o.OutDir);
        List<SqlExample> runnable;
        List<SkippedPair> skipped;
        using (var db = ReadOnlyDatabase.Open(o.DatabasePath)) (runnable, skipped) = SqlPairCheck.Partition(pairs, db);
        SqlPairCheck.Write(Path.Combine(o.OutDir, SkippedFile), skipped);
        if (runnable.Count == 0)
            throw new TandemException($"{o.PairsPath}: the SQL of none of its {pairs.Count} pairs runs on {o.DatabasePath} ({SqlPairCheck.Describe(skipped[0])}); all are listed in {Path.Combine(o.OutDir, SkippedFile)}");
        if (skipped.Count > 0)
        {
            log($"{skipped.Count} of {pairs.Count} pairs skipped, their SQL does not run on {Path.GetFileName(o.DatabasePath)} (all in {Path.Combine(o.OutDir, SkippedFile)}):");
            foreach (var p in skipped.Take(3)) log("  " + SqlPairCheck.Describe(p));
        }
        splits = SqlSplits.HoldOutFraction(runnable, o.DevFraction);
        log(splits.Dev.Count > 0
            ? $"{runnable.Count} pairs: training on {splits.Train.Count}, {splits.Dev.Count} held out as dev (the last checkpoint is scored on them)"
            : $"{runnable.Count} pairs: training on all of them (dev fraction 0: nothing is held out, nothing is scored)");
        var model = Fit(o, splits.Train, o.DatabasePath, o.OutDir, progress, log);
        List<SqlPrediction> dev = [];
        if (splits.Dev.Count > 0)
        {
            log($"scoring {model.Checkpoint} on {splits.Dev.Count} dev pairs");
            dev = SqlRecipe.Test(o, [model.Checkpoint], o.DatabasePath, splits.Dev);
            SqlPredictionFile.Write(Path.Combine(o.OutDir, "dev_predictions.jsonl"), dev);
        }
        var result = new SqlFitResult(model.Checkpoint, pairs.Count, skipped, splits.Train.Count, dev, model.Steps, model.Seconds / 60);
        WriteReport(o, result, splits.Dev.Count);
        return result;
    }

    /// <summary>
    /// The fitting step shared with <see cref="Experiments.RestaurantsExperiment"/>: writes the training data into
    /// <c>OUT/data</c>, trains into <c>OUT/run</c> within <see cref="SqlRecipeOptions.Minutes"/> (no evaluation
    /// while training), and copies the last checkpoint to <c>OUT/model</c> with the <see cref="FittedSchema"/> of
    /// <paramref name="dbPath"/>. The result's checkpoint is that folder.
    /// </summary>
    public static TrainedModel Fit(SqlRecipeOptions o, IReadOnlyList<SqlExample> train, string dbPath, string outDir,
        IProgress<TrainProgress>? progress, Action<string> log)
    {
        var dataDir = Path.Combine(outDir, "data");
        var runDir = Path.Combine(outDir, "run");
        var modelDir = Path.Combine(outDir, "model");
        foreach (var stale in new[] { dataDir, runDir, modelDir })
            if (Directory.Exists(stale)) Directory.Delete(stale, recursive: true);
        int refilled = SqlRecipe.Export(o, new SqlSplits(train, [], []), dbPath, dataDir);
        if (refilled > 0) log($"{refilled} re-filled copies added to the {train.Count} training pairs");
        var trained = SqlRecipe.Train(o, dataDir, runDir, o.Seed, o.Minutes, watchDev: false, progress, log);
        CopyModel(trained.Checkpoint, modelDir);
        using (var db = ReadOnlyDatabase.Open(dbPath)) FittedSchema.Of(db.ReadSchema(sampleValues: 0), dbPath).Save(modelDir);
        log($"model: {modelDir} (the last checkpoint, {trained.Checkpoint}, with the schema of {Path.GetFileName(dbPath)})");
        return trained with { Checkpoint = modelDir };
    }

    /// <summary>Copies a checkpoint's model folder (weights, configs, tokenizers) without the optimizer and trainer state.</summary>
    static void CopyModel(string checkpoint, string target)
    {
        string[] trainingOnly = [CheckpointStore.OptimizerFile, WeightAverage.RawWeightsFile, TrainerState.FileName];
        foreach (var file in Directory.EnumerateFiles(checkpoint, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(checkpoint, file);
            if (trainingOnly.Contains(relative)) continue;
            var to = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
    }

    static void WriteReport(SqlFitOptions o, SqlFitResult r, int devCount)
    {
        var report = new JsonObject
        {
            ["database"] = Path.GetFullPath(o.DatabasePath),
            ["pairs_file"] = Path.GetFullPath(o.PairsPath),
            ["model"] = Path.GetFullPath(r.ModelDir),
            ["pairs"] = r.Pairs,
            ["skipped"] = r.Skipped.Count,
            ["train"] = r.Train,
            ["dev"] = devCount,
            ["dev_exact_match"] = r.DevExactMatch,
            ["dev_execution_accuracy"] = r.DevExecutionAccuracy,
            ["steps"] = r.Steps,
            ["minutes"] = Math.Round(r.Minutes, 2),
            ["budget_minutes"] = o.Minutes,
            ["training"] = "last checkpoint" + SqlRecipe.Describe(o),
            ["command"] = o.Command,
        };
        File.WriteAllText(Path.Combine(o.OutDir, ReportFile), report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}

using System.Diagnostics;
using System.Globalization;
using Tandem.Evaluation.Results;
using Tandem.Generation;
using Tandem.Modeling;
using Tandem.Pipelines;
using Tandem.Tasks.Sql.Experiments;
using Tandem.Training;

namespace Tandem.Tasks.Sql.Fitting;

/// <summary>A model the recipe trained: the checkpoint kept, and what training it cost.</summary>
/// <param name="Checkpoint">The checkpoint folder (the last one, or the dev-best one when dev was watched).</param>
/// <param name="Steps">Optimiser steps.</param>
/// <param name="Seconds">Wall-clock seconds of training.</param>
public sealed record TrainedModel(string Checkpoint, long Steps, double Seconds);

/// <summary>
/// The English-to-SQL recipe's steps, one implementation for every command that fine-tunes on question/SQL pairs
/// (<see cref="GeoQueryExperiment"/>, <see cref="SqlFit"/>, <see cref="RestaurantsExperiment"/>): the training data
/// written with <see cref="SqlTargetNormalizer"/> targets (and <see cref="SqlValueAugmenter"/> copies when asked), the
/// training config, training, the test (exact match against the normalised gold, execution against the original gold
/// on the real database) and the result row.
/// </summary>
public static class SqlRecipe
{
    /// <summary>Writes <c>train.jsonl</c>, <c>dev.jsonl</c> and <c>test.jsonl</c> into <paramref name="dataDir"/>:
    /// targets normalised, training pairs followed by their re-filled copies (<see cref="SqlRecipeOptions.Augment"/>,
    /// values from <paramref name="dbPath"/>). Returns how many copies were added.</summary>
    public static int Export(SqlRecipeOptions o, SqlSplits splits, string dbPath, string dataDir)
    {
        IReadOnlyList<SqlExample> refilled;
        using (var db = ReadOnlyDatabase.Open(dbPath)) refilled = SqlValueAugmenter.Augment(splits.Train, db, o.Augment, o.Seed);
        (splits with { Train = [.. splits.Train, .. refilled] }).Export(dataDir, SqlPairFormat.JsonLines, SqlTargetNormalizer.Normalize);
        return refilled.Count;
    }

    /// <summary>The training config of one model: <paramref name="dataDir"/>'s train file (and dev when
    /// <paramref name="watchDev"/>, which then picks the checkpoint), sources up to 64 tokens, targets up to 192.</summary>
    public static TrainConfig TrainConfigFor(SqlRecipeOptions o, string dataDir, string runDir, int seed, double minutes, bool watchDev) => new()
    {
        Seed = seed,
        Precision = o.Precision,
        Model = ExperimentVariant.Find(o.Variant).ModelSection(o.BaseModel, o.CacheDir, o.Decoder),
        Data = new DataSection
        {
            Splits = watchDev
                ? new() { ["train"] = Path.Combine(dataDir, "train.jsonl"), ["dev"] = Path.Combine(dataDir, "dev.jsonl") }
                : new() { ["train"] = Path.Combine(dataDir, "train.jsonl") },
            MaxSourceLength = 64,
            MaxTargetLength = 192,
        },
        Optimizer = new OptimizerSection { Lr = o.LearningRate, EmaDecay = o.EmaDecay, LabelSmoothing = o.LabelSmoothing },
        Schedule = new ScheduleSection { MaxSteps = o.MaxSteps, MaxMinutes = minutes, WarmupRatio = 0.05, Decay = "linear" },
        Batching = new BatchingSection { MaxTokens = o.MaxTokens },
        Evaluation = new EvaluationSection { EverySteps = o.EvalEverySteps, Metric = "exact_match", MaxNewTokens = 190 },
        Output = new OutputSection { Dir = runDir, KeepLast = 1, KeepBest = 1, LogEverySteps = 10 },
    };

    /// <summary>Trains one model on <paramref name="dataDir"/> into <paramref name="runDir"/> within
    /// <paramref name="minutes"/>; keeps the last checkpoint, or the dev-best one when <paramref name="watchDev"/>.</summary>
    public static TrainedModel Train(SqlRecipeOptions o, string dataDir, string runDir, int seed, double minutes, bool watchDev,
        IProgress<TrainProgress>? progress, Action<string> log)
    {
        var config = TrainConfigFor(o, dataDir, runDir, seed, minutes, watchDev);
        var clock = Stopwatch.StartNew();
        var trained = Trainer.Run(config, new TrainOptions { Progress = progress, Log = log });
        var checkpoint = (watchDev ? trained.BestCheckpoint ?? trained.LastCheckpoint : trained.LastCheckpoint)
                         ?? throw new TandemException($"{runDir}: training wrote no checkpoint");
        return new TrainedModel(checkpoint, trained.Steps, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Generates SQL for every question of <paramref name="examples"/> with the recipe's decoding (in its
    /// precision) and scores it: exact match against the normalised gold, execution against the original gold.</summary>
    public static List<SqlPrediction> Test(SqlRecipeOptions o, IReadOnlyList<string> modelDirs, string dbPath, IReadOnlyList<SqlExample> examples)
    {
        using var precision = Autocast.Enter(Autocast.Parse(o.Precision));
        using var pipeline = Seq2SeqPipeline.Load(modelDirs);
        using var db = ReadOnlyDatabase.Open(dbPath);
        var config = GenerationConfig.Parse(pipeline.Model.GenerationConfig.ToJson());
        config.NumBeams = o.NumBeams;
        // The recipe's 192 target tokens, or fewer for a model with fewer positions (warm-started halves share the base's).
        config.MaxLength = Math.Max(config.MaxLength, Math.Min(192, pipeline.Model.MaxSourceLength));
        var questions = examples.Select(e => e.Question).ToList();
        var results = new List<SqlPrediction>();
        foreach (var answer in SqlAsker.Ask(pipeline, db, questions, config, o.Candidates, batchSize: 16, linkValues: o.LinkValues,
                     choice: o.Choice, constrainToSchema: o.SchemaConstraint, questionLiterals: o.QuestionLiterals))
        {
            var gold = examples[results.Count];
            bool em = SqlExactMatch.Matches(answer.Sql, SqlTargetNormalizer.Normalize(gold.Sql));
            var goldResult = db.Execute(gold.Sql);
            bool ex = answer.Result.Succeeded && goldResult.Succeeded
                      && ExecutionMatch.Same(answer.Result, goldResult, ExecutionMatch.HasOrderBy(gold.Sql));
            results.Add(new SqlPrediction(gold.Question, gold.Sql, answer.Sql, em, ex, answer.Result.Error));
        }
        return results;
    }

    /// <summary>The recipe's part of a row's "trained on" cell: the weight average, re-filled copies, label smoothing.</summary>
    public static string Describe(SqlRecipeOptions o) =>
        (o.EmaDecay > 0 ? $", EMA {o.EmaDecay.ToString(CultureInfo.InvariantCulture)}" : "")
        + (o.Augment > 0 ? $", {o.Augment} re-filled copies" : "")
        + (o.LabelSmoothing > 0 ? $", label smoothing {o.LabelSmoothing.ToString(CultureInfo.InvariantCulture)}" : "");

    /// <summary>A result row scoring <paramref name="predictions"/>: exact match and execution accuracy over all of
    /// them, the training budget spent, the time the test took (decoding speed), this machine, now.</summary>
    public static ResultRow Row(string model, string split, IReadOnlyList<SqlPrediction> predictions, string training, long steps, double seconds, string command,
        double? testSeconds = null) => new()
    {
        Model = model,
        Split = split,
        Examples = predictions.Count,
        ExactMatch = predictions.Count(p => p.ExactMatch) / (double)predictions.Count,
        ExecutionAccuracy = predictions.Count(p => p.ExecutionMatch) / (double)predictions.Count,
        Training = training,
        Steps = steps,
        WallSeconds = Math.Round(seconds, 1),
        TestSeconds = testSeconds is { } t ? Math.Round(t, 1) : null,
        Machine = MachineInfo.Describe(),
        Date = DateTimeOffset.UtcNow,
        Command = command,
    };
}

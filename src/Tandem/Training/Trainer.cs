using System.Diagnostics;
using TorchSharp;
using Tandem.Evaluation;
using Tandem.Generation;
using Tandem.Modeling;
using Tandem.Training.Data;
using Tandem.Training.Optimization;
using static TorchSharp.torch;

namespace Tandem.Training;

/// <summary>Trains as a <see cref="TrainConfig"/> says (seq2seq fine-tuning, or masked-LM / causal-LM pre-training
/// when <c>objective.type</c> is <c>mlm</c> / <c>clm</c>): AdamW with warm-up and decay, gradient
/// clipping and accumulation, evaluation with early stopping, atomic checkpoints and exact resume.</summary>
public static class Trainer
{
    /// <summary>Runs (or resumes) training. Deterministic: the same config and seed give the same loss curve, and a
    /// run interrupted after a checkpoint and resumed ends with the same weights as an uninterrupted one.</summary>
    /// <exception cref="TandemException">Bad data or model, a non-finite loss (naming the step and the last good
    /// checkpoint), or running out of memory (suggesting a smaller <c>batching.max_tokens</c>).</exception>
    /// <remarks>A run folder this call creates is removed again when setup fails (model, data, tokenizer), so a bad
    /// input leaves no half-written run behind.</remarks>
    public static TrainResult Run(TrainConfig config, TrainOptions? options = null)
    {
        var runDir = Path.GetFullPath(config.Output.Dir);
        if (File.Exists(runDir)) throw new TandemException($"output.dir: {runDir} is a file, not a folder");
        bool fresh = !Directory.Exists(runDir), started = false;
        try { return Train(config, options ?? new TrainOptions(), runDir, () => started = true); }
        catch when (fresh && !started && Directory.Exists(runDir))
        {
            Directory.Delete(runDir, recursive: true);
            throw;
        }
    }

    /// <summary>The run itself; <paramref name="starting"/> is called once setup is done, before the first step.</summary>
    static TrainResult Train(TrainConfig config, TrainOptions options, string runDir, Action starting)
    {
        var log = options.Log ?? (_ => { });
        Directory.CreateDirectory(runDir);
        var store = new CheckpointStore(runDir) { BeforeCommit = options.BeforeCheckpointCommit };
        string? resumeDir = null;
        if (options.Resume)
        {
            resumeDir = store.Latest();
            log(resumeDir is null ? "no checkpoint to resume from; starting from the beginning" : $"resuming from {resumeDir}");
        }
        else if (store.List().Count > 0)
            throw new TandemException($"output.dir: {runDir} already has checkpoints; resume it (--resume) or choose another folder");
        TrainConfigLoader.Save(config, runDir);
        if (config.Threads > 0) torch.set_num_threads(config.Threads);
        torch.manual_seed(config.Seed);

        var resumed = resumeDir is null ? null : TrainerState.Load(resumeDir);
        using ITrainingTask task = config.Objective.Type switch
        {
            ObjectiveSection.MaskedLM => Pretraining.MaskedLMTask.Create(config, resumeDir, resumed?.NewKeys, store, log),
            ObjectiveSection.CausalLM => Pretraining.CausalLMTask.Create(config, resumeDir, resumed?.NewKeys, store, log),
            _ => Seq2SeqTask.Create(config, resumeDir, resumed?.NewKeys, store, runDir, log),
        };
        int stepsPerEpoch = Math.Max(1, (task.Batches(0).Count + config.Batching.AccumulationSteps - 1) / config.Batching.AccumulationSteps);
        int total = config.Schedule.MaxSteps > 0 ? config.Schedule.MaxSteps : config.Schedule.Epochs * stepsPerEpoch;
        var schedule = LearningRateSchedule.From(config.Schedule, total);
        using var opt = OptimizerSetup.Create(task.Module, config.Optimizer, task.NewKeys);
        using var average = config.Optimizer.EmaDecay > 0 ? new WeightAverage(opt.NamedTrainable, config.Optimizer.EmaDecay) : null;
        var state = resumed ?? new TrainerState { TotalSteps = total, Metric = config.Evaluation.Metric, NewKeys = [.. task.NewKeys.Order()] };
        if (resumed is not null)
        {
            CheckpointStore.LoadOptimizer(resumeDir!, opt.Optimizer);
            average?.LoadRaw(resumeDir!);
            using var rng = torch.tensor(Convert.FromBase64String(resumed.RngState), ScalarType.Byte);
            torch.set_rng_state(rng);
            MetricsLog.TruncateAfter(runDir, resumed.Step);
        }
        else File.Delete(Path.Combine(runDir, MetricsLog.FileName));

        var loop = new TrainingLoop(config, task, opt, schedule, state, store, options, runDir) { LastGood = resumeDir, Average = average };
        TrainResult result;
        starting();
        using (Autocast.Enter(Autocast.Parse(config.Precision))) result = loop.Run(total);
        if (config.Output.Plots)
        {
            try { foreach (var png in RunPlots.Write(runDir)) log($"plot: {png}"); }
            catch (Exception e) when (e is not OutOfMemoryException) { log($"plots skipped: {e.Message}"); }
        }
        return result;
    }

    /// <summary>The generation options evaluation uses: the model's special ids with the config's beams and length.</summary>
    internal static GenerationConfig EvalGeneration(ISeq2SeqModel model, EvaluationSection e)
    {
        var config = GenerationConfig.FromSpecialIds(model.SpecialIds.DecoderStart, model.SpecialIds.Pad, model.SpecialIds.Eos);
        config.NumBeams = e.NumBeams;
        config.MaxNewTokens = e.MaxNewTokens;
        return config;
    }

    internal static bool IsOutOfMemory(Exception e) =>
        e is OutOfMemoryException || e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("can't allocate", StringComparison.OrdinalIgnoreCase);

    internal static string RngState() { using var s = torch.get_rng_state(); return Convert.ToBase64String(s.data<byte>().ToArray()); }
}

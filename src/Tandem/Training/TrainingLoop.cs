using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using Tandem.Evaluation;
using Tandem.Native;
using Tandem.Training.Optimization;
using static TorchSharp.torch;

namespace Tandem.Training;

/// <summary>The step loop of <see cref="Trainer"/>: accumulation, clipping, schedule, evaluation, checkpoints.</summary>
internal sealed class TrainingLoop(TrainConfig config, ITrainingTask task,
    OptimizerSetup opt, LearningRateSchedule schedule, TrainerState state, CheckpointStore store, TrainOptions options, string runDir)
{
    public string? LastGood { get; set; }
    /// <summary>The moving average of the weights that evaluation and checkpoints use, if any.</summary>
    public WeightAverage? Average { get; init; }
    readonly List<double> _losses = [];
    readonly Action<string> _log = options.Log ?? (_ => { });

    public TrainResult Run(int total)
    {
        state.TotalSteps = total;
        var batches = task.Batches(state.Epoch);
        var clock = Stopwatch.StartNew();
        var window = new Queue<(double Seconds, long Tokens)>();
        EvaluationResult? lastEval = null;
        bool early = false, cancelled = false;
        int lastSaved = state.Step, logCount = 0;
        double logLoss = 0;
        task.Module.train();
        double startElapsed = state.ElapsedSeconds, budget = config.Schedule.MaxMinutes * 60;
        double TimeFraction() => budget > 0 ? (startElapsed + clock.Elapsed.TotalSeconds) / budget : 0;
        bool outOfTime = false;
        while (state.Step < total && !early && !cancelled && !outOfTime)
        {
            var group = new List<int[]>();
            for (int a = 0; a < config.Batching.AccumulationSteps && state.BatchInEpoch + a < batches.Count; a++)
                group.Add(batches[state.BatchInEpoch + a]);
            long tokens = group.Sum(task.Tokens);
            double start = clock.Elapsed.TotalSeconds;
            double? loss = Step(group, tokens, TimeFraction());
            state.ElapsedSeconds = startElapsed + clock.Elapsed.TotalSeconds;
            outOfTime = budget > 0 && state.ElapsedSeconds >= budget;
            state.BatchInEpoch += group.Count;
            bool epochEnd = state.BatchInEpoch >= batches.Count;
            if (epochEnd)
            {
                state.Epoch++;
                state.BatchInEpoch = 0;
                batches = task.Batches(state.Epoch);
            }
            if (loss is null) continue;
            _losses.Add(loss.Value);
            window.Enqueue((clock.Elapsed.TotalSeconds - start, tokens));
            if (window.Count > 20) window.Dequeue();
            double secs = window.Sum(w => w.Seconds), tokPerSec = secs > 0 ? window.Sum(w => w.Tokens) / secs : 0;
            double lr = config.Optimizer.Lr * schedule.Factor(state.Step - 1, TimeFraction());
            var eta = budget > 0
                ? TimeSpan.FromSeconds(Math.Max(0, Math.Min(budget - state.ElapsedSeconds, secs / window.Count * (total - state.Step))))
                : TimeSpan.FromSeconds(secs / window.Count * (total - state.Step));
            double epochPos = state.Epoch + (double)state.BatchInEpoch / Math.Max(1, batches.Count) + 1;
            options.Progress?.Report(new TrainProgress(state.Step, total, epochPos, loss.Value, lr, tokPerSec, eta)
            {
                Elapsed = TimeSpan.FromSeconds(state.ElapsedSeconds),
                Budget = budget > 0 ? TimeSpan.FromSeconds(budget) : null,
            });
            logLoss += loss.Value;
            logCount++;
            bool last = state.Step == total || outOfTime;
            if (state.Step % config.Output.LogEverySteps == 0 || last)
            {
                MetricsLog.Append(runDir, new Dictionary<string, object?>
                {
                    ["step"] = state.Step, ["split"] = "train", ["epoch"] = Math.Round(epochPos, 4), ["loss"] = logLoss / logCount,
                    ["lr"] = lr, ["tokens_per_s"] = Math.Round(tokPerSec, 1),
                });
                (logLoss, logCount) = (0, 0);
            }
            bool evaluate = task.HasDev && (config.Evaluation.EverySteps > 0 ? state.Step % config.Evaluation.EverySteps == 0 : epochEnd)
                            || task.HasDev && last;
            state.Metrics = null;
            if (evaluate) { lastEval = Evaluate(); early = config.Evaluation.Patience > 0 && state.EvalsWithoutImprovement >= config.Evaluation.Patience; }
            cancelled = options.Cancellation.IsCancellationRequested;
            bool save = evaluate || last || early || cancelled
                        || config.Output.SaveEverySteps > 0 && state.Step % config.Output.SaveEverySteps == 0;
            if (save && state.Step != lastSaved) { Save(); lastSaved = state.Step; }
            FaultInjection.HoldAfter(state.Step);
        }
        if (outOfTime) _log($"time budget of {config.Schedule.MaxMinutes:G4} minutes spent at step {state.Step} of {total}");
        if (early) _log($"early stopping at step {state.Step}: no improvement of {config.Evaluation.Metric} in {config.Evaluation.Patience} evaluations (best {state.BestValue:G5} at step {state.BestStep})");
        return new TrainResult
        {
            RunDir = runDir, Steps = state.Step, LossCurve = _losses, LastCheckpoint = store.Latest(),
            BestCheckpoint = store.Best(config.Evaluation.Metric) ?? store.Latest(), LastEvaluation = lastEval,
            StoppedEarly = early, Cancelled = cancelled,
        };
    }

    /// <summary>One optimizer step over the accumulated batches; null when a non-finite loss made it skip.</summary>
    double? Step(List<int[]> group, long tokens, double timeFraction)
    {
        using var noCollection = Native.NoCollection.Enter();     // no .NET collection under libtorch's calls (see NoCollection)
        opt.Optimizer.zero_grad();
        double lossSum = 0;
        try
        {
            for (int j = 0; j < group.Count; j++)
            {
                using var scope = NewDisposeScope();
                var loss = task.Loss(group[j], state.Epoch, state.BatchInEpoch + j);
                double value = loss.item<float>();
                if (!double.IsFinite(value))
                {
                    if (!config.Optimizer.SkipNonFinite)
                        throw new TandemException($"step {state.Step + 1}: the training loss is {value}; stopping. Last good checkpoint: " +
                            $"{LastGood ?? "none"}. Lower optimizer.lr, or set optimizer.skip_nonfinite=true to skip such batches.");
                    _log($"step {state.Step + 1}: loss is {value}; batch skipped (optimizer.skip_nonfinite)");
                    opt.Optimizer.zero_grad();
                    return null;
                }
                double weight = (double)task.Tokens(group[j]) / tokens;
                loss.Mul(weight).backward();
                lossSum += value * weight;
            }
            opt.SetFactor(schedule.Factor(state.Step, timeFraction));
            if (config.Optimizer.MaxGradNorm > 0) opt.Optimizer.ClipGradNorm(config.Optimizer.MaxGradNorm);  // applied in the step
            opt.Optimizer.step();
            Average?.Update(state.Step + 1);
        }
        catch (Exception e) when (e is not TandemException && Trainer.IsOutOfMemory(e))
        {
            throw new TandemException($"step {state.Step + 1}: out of memory with batching.max_tokens={config.Batching.MaxTokens}; " +
                $"try a smaller budget (e.g. --set batching.max_tokens={config.Batching.MaxTokens / 2}) with batching.accumulation_steps to keep the effective batch. " +
                $"Last good checkpoint: {LastGood ?? "none"}", e);
        }
        state.Step++;
        return lossSum;
    }

    EvaluationResult Evaluate()
    {
        var e = config.Evaluation;
        EvaluationResult result;
        using (Average?.Apply()) result = task.Evaluate();
        task.Module.train();
        state.Metrics = result.ToDictionary();
        var value = result.Get(e.Metric) ?? double.NaN;
        bool better = state.BestValue is not { } best || (EvaluationResult.HigherIsBetter(e.Metric) ? value > best : value < best);
        if (better) { state.BestValue = value; state.BestStep = state.Step; state.EvalsWithoutImprovement = 0; }
        else state.EvalsWithoutImprovement++;
        var record = new Dictionary<string, object?> { ["step"] = state.Step, ["split"] = config.Data.EvalSplit };
        foreach (var (k, v) in state.Metrics) record[k] = v;
        MetricsLog.Append(runDir, record);
        _log(string.Create(CultureInfo.InvariantCulture,
            $"eval @ step {state.Step} ({config.Data.EvalSplit}): {result}{(better ? " · new best" : $" · best {state.BestValue:G5} @ {state.BestStep}")}"));
        return result;
    }

    void Save()
    {
        state.RngState = Trainer.RngState();
        double budget = config.Schedule.MaxMinutes * 60;
        state.LrFactor = schedule.Factor(state.Step, budget > 0 ? state.ElapsedSeconds / budget : 0);
        string dir;
        using (Average?.Apply()) dir = store.Save(task.SaveModel, opt.Optimizer, state, Average is null ? null : Average.SaveRaw);
        store.Rotate(config.Output.KeepLast, config.Output.KeepBest, config.Evaluation.Metric);
        LastGood = dir;
        _log($"checkpoint: {dir}");
    }
}

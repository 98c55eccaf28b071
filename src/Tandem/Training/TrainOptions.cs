using Tandem.Evaluation;

namespace Tandem.Training;

/// <summary>How <see cref="Trainer.Run"/> runs and reports.</summary>
public sealed class TrainOptions
{
    /// <summary>Continue from the newest checkpoint of the run folder.</summary>
    public bool Resume { get; init; }
    /// <summary>Receives progress after every optimizer step (synchronously).</summary>
    public IProgress<TrainProgress>? Progress { get; init; }
    /// <summary>Receives messages: warm-start report, evaluation summaries, checkpoints, early stopping.</summary>
    public Action<string>? Log { get; init; }
    /// <summary>Stops after the current step; a checkpoint is written first.</summary>
    public CancellationToken Cancellation { get; init; }
    /// <summary>Test hook: called with a checkpoint's temporary folder before it is renamed into place.</summary>
    internal Action<string>? BeforeCheckpointCommit { get; init; }
}

/// <summary>What a training run produced.</summary>
public sealed class TrainResult
{
    /// <summary>The run folder.</summary>
    public required string RunDir { get; init; }
    /// <summary>Optimizer steps done in total.</summary>
    public required int Steps { get; init; }
    /// <summary>Training loss of each step this invocation ran (a resumed run starts after the checkpoint).</summary>
    public required IReadOnlyList<double> LossCurve { get; init; }
    /// <summary>The newest checkpoint.</summary>
    public string? LastCheckpoint { get; init; }
    /// <summary>The best checkpoint by the evaluation metric (the newest when none was evaluated).</summary>
    public string? BestCheckpoint { get; init; }
    /// <summary>The last evaluation, if any.</summary>
    public EvaluationResult? LastEvaluation { get; init; }
    /// <summary>Whether early stopping ended the run.</summary>
    public bool StoppedEarly { get; init; }
    /// <summary>Whether cancellation ended the run.</summary>
    public bool Cancelled { get; init; }
}

using System.Globalization;

namespace Tandem.Training;

/// <summary>Where training stands after an optimizer step; what a progress bar shows.</summary>
/// <param name="Step">Optimizer steps done.</param>
/// <param name="TotalSteps">Optimizer steps planned.</param>
/// <param name="Epoch">Current epoch (from 1) and fraction done, e.g. 1.25.</param>
/// <param name="Loss">Mean training loss per target token of the last step.</param>
/// <param name="LearningRate">The base learning rate used for the step.</param>
/// <param name="TokensPerSecond">Target tokens per second (recent average).</param>
/// <param name="Eta">Estimated time left.</param>
public sealed record TrainProgress(int Step, int TotalSteps, double Epoch, double Loss, double LearningRate, double TokensPerSecond, TimeSpan Eta)
{
    /// <summary>Training time spent so far (including before a resume).</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>The time budget, when the run has one.</summary>
    public TimeSpan? Budget { get; init; }

    /// <summary>How far the run is, 0 to 1: by steps, or by the time budget when that is further along.</summary>
    public double Fraction => Math.Min(1, Math.Max((double)Step / Math.Max(1, TotalSteps), Budget is { } b ? Elapsed.TotalSeconds / b.TotalSeconds : 0));

    /// <summary>A plain one-line rendering.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"step {Step}/{TotalSteps} · epoch {Epoch:F2} · loss {Loss:F4} · lr {LearningRate:E2} · {TokensPerSecond:F0} tok/s · ") +
        (Budget is { } b ? $"time {Format(Elapsed)}/{Format(b)} · " : "") + $"ETA {Format(Eta)}";

    /// <summary>h:mm:ss.</summary>
    public static string Format(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t:mm\\:ss}" : $"{t:mm\\:ss}";
}

/// <summary>Progress for logs and non-terminal output: one plain line every <c>every</c> steps (and at the last).</summary>
public sealed class PlainProgressWriter(TextWriter writer, int every) : IProgress<TrainProgress>
{
    /// <summary>Writes a line when the step is a multiple of the interval, or the last.</summary>
    public void Report(TrainProgress value)
    {
        if (value.Step % Math.Max(1, every) == 0 || value.Step == value.TotalSteps) writer.WriteLine(value.ToString());
    }
}

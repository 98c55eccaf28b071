namespace Tandem.Training;

/// <summary>Linear warm-up from 0, then linear decay to 0, cosine decay to 0, or a constant rate.</summary>
/// <remarks>The schedule is a function of progress, the fraction of the run done. Without a time budget that is
/// <c>step / TotalSteps</c>; with one it is whichever of steps and spent time is further along, for warm-up as for
/// decay. A run that its time budget ends after a tenth of its steps therefore still warms up over its first
/// <c>WarmupSteps / TotalSteps</c> of time and ends at a low rate, instead of stopping inside the warm-up.</remarks>
/// <param name="WarmupSteps">Steps of warm-up.</param>
/// <param name="TotalSteps">All optimizer steps.</param>
/// <param name="Decay">linear, cosine or constant.</param>
public sealed record LearningRateSchedule(int WarmupSteps, int TotalSteps, string Decay)
{
    /// <summary>The factor on the peak rate for the optimizer step that follows <paramref name="step"/> completed steps.</summary>
    /// <param name="step">Completed optimizer steps.</param>
    /// <param name="timeFraction">With a time budget, the part of it spent (0..1); 0 without one.</param>
    public double Factor(int step, double timeFraction = 0)
    {
        int total = Math.Max(1, TotalSteps);
        double progress = Math.Max((double)step / total, Math.Clamp(timeFraction, 0, 1));
        double warmup = Math.Min(1.0, (double)Math.Max(0, WarmupSteps) / total);
        if (progress < warmup) return progress / warmup;
        if (Decay == "constant") return 1.0;
        double after = warmup >= 1 ? 1 : Math.Min(1, (progress - warmup) / (1 - warmup));
        return Decay == "cosine"
            ? Math.Max(0.0, 0.5 * (1.0 + Math.Cos(Math.PI * after)))
            : Math.Max(0.0, 1.0 - after);
    }

    /// <summary>The schedule a config asks for.</summary>
    public static LearningRateSchedule From(ScheduleSection s, int totalSteps) =>
        new(s.WarmupSteps > 0 ? s.WarmupSteps : (int)Math.Ceiling(s.WarmupRatio * totalSteps), totalSteps, s.Decay);
}

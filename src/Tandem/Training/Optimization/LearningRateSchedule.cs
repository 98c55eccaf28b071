namespace Tandem.Training.Optimization;

/// <summary>Linear warm-up from 0, then linear decay to 0, cosine decay to 0, or a constant rate.</summary>
/// <remarks>With a time budget the run ends at whichever comes first, <see cref="TotalSteps"/> or the minutes, so
/// progress is the further along of the two: decay follows it, and so does a warm-up given as a fraction
/// (<see cref="WarmupFraction"/>, <c>warmup_ratio</c>). A run its budget ends after a tenth of its steps therefore
/// still warms up over the first part of its time and ends at a low rate. A warm-up given in steps
/// (<see cref="WarmupSteps"/>, <c>warmup_steps</c>) stays that many steps, whatever the clock says.</remarks>
/// <param name="WarmupSteps">Steps of warm-up (used when <paramref name="WarmupFraction"/> is 0).</param>
/// <param name="TotalSteps">All optimizer steps.</param>
/// <param name="Decay">linear, cosine or constant.</param>
/// <param name="WarmupFraction">Warm-up as a fraction of the run's progress (0 = <paramref name="WarmupSteps"/>).</param>
public sealed record LearningRateSchedule(int WarmupSteps, int TotalSteps, string Decay, double WarmupFraction = 0)
{
    /// <summary>The factor on the peak rate for the optimizer step that follows <paramref name="step"/> completed steps.</summary>
    /// <param name="step">Completed optimizer steps.</param>
    /// <param name="timeFraction">With a time budget, the part of it spent (0..1); 0 without one.</param>
    public double Factor(int step, double timeFraction = 0)
    {
        int total = Math.Max(1, TotalSteps);
        double time = Math.Clamp(timeFraction, 0, 1), after;
        if (WarmupFraction > 0)
        {
            double progress = Math.Max((double)step / total, time), warmup = Math.Min(1.0, WarmupFraction);
            if (progress < warmup) return progress / warmup;
            after = warmup >= 1 ? 1 : (progress - warmup) / (1 - warmup);
        }
        else
        {
            if (step < WarmupSteps) return (double)step / WarmupSteps;
            after = Math.Max((double)(step - WarmupSteps) / Math.Max(1, total - WarmupSteps), time);
        }
        if (Decay == "constant") return 1.0;
        after = Math.Min(1, after);
        return Decay == "cosine" ? 0.5 * (1.0 + Math.Cos(Math.PI * after)) : 1.0 - after;
    }

    /// <summary>The schedule a config asks for.</summary>
    public static LearningRateSchedule From(ScheduleSection s, int totalSteps) =>
        s.WarmupSteps > 0 ? new(s.WarmupSteps, totalSteps, s.Decay) : new(0, totalSteps, s.Decay, s.WarmupRatio);
}

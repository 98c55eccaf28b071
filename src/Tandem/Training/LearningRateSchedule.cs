namespace Tandem.Training;

/// <summary>Linear warm-up from 0, then linear decay to 0, cosine decay to 0, or a constant rate.</summary>
/// <param name="WarmupSteps">Steps of warm-up.</param>
/// <param name="TotalSteps">All optimizer steps.</param>
/// <param name="Decay">linear, cosine or constant.</param>
public sealed record LearningRateSchedule(int WarmupSteps, int TotalSteps, string Decay)
{
    /// <summary>The factor on the peak rate for the optimizer step that follows <paramref name="step"/> completed steps.</summary>
    /// <param name="step">Completed optimizer steps.</param>
    /// <param name="timeFraction">With a time budget, the part of it spent (0..1): the decay follows whichever of
    /// steps and time is further along, so a time-limited run still ends at a low rate.</param>
    public double Factor(int step, double timeFraction = 0)
    {
        if (step < WarmupSteps) return (double)step / Math.Max(1, WarmupSteps);
        if (Decay == "constant") return 1.0;
        double progress = Math.Max((double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps), Math.Clamp(timeFraction, 0, 1));
        return Decay == "cosine"
            ? Math.Max(0.0, 0.5 * (1.0 + Math.Cos(Math.PI * progress)))
            : Math.Max(0.0, 1.0 - progress);
    }

    /// <summary>The schedule a config asks for.</summary>
    public static LearningRateSchedule From(ScheduleSection s, int totalSteps) =>
        new(s.WarmupSteps > 0 ? s.WarmupSteps : (int)Math.Ceiling(s.WarmupRatio * totalSteps), totalSteps, s.Decay);
}

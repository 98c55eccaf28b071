namespace Tandem.Training;

/// <summary>Linear warm-up from 0, then linear decay to 0, cosine decay to 0, or a constant rate.</summary>
/// <param name="WarmupSteps">Steps of warm-up.</param>
/// <param name="TotalSteps">All optimizer steps.</param>
/// <param name="Decay">linear, cosine or constant.</param>
public sealed record LearningRateSchedule(int WarmupSteps, int TotalSteps, string Decay)
{
    /// <summary>The factor on the peak rate for the optimizer step that follows <paramref name="step"/> completed steps.</summary>
    public double Factor(int step)
    {
        if (step < WarmupSteps) return (double)step / Math.Max(1, WarmupSteps);
        if (Decay == "constant") return 1.0;
        double progress = (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps);
        return Decay == "cosine"
            ? Math.Max(0.0, 0.5 * (1.0 + Math.Cos(Math.PI * progress)))
            : Math.Max(0.0, 1.0 - progress);
    }

    /// <summary>The schedule a config asks for.</summary>
    public static LearningRateSchedule From(ScheduleSection s, int totalSteps) =>
        new(s.WarmupSteps > 0 ? s.WarmupSteps : (int)Math.Ceiling(s.WarmupRatio * totalSteps), totalSteps, s.Decay);
}

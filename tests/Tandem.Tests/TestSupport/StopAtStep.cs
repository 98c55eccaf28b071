using Tandem.Training;

namespace Tandem.Tests.TestSupport;

/// <summary>A progress sink that cancels a training run once it reports <paramref name="step"/> (an interruption, in process).</summary>
internal sealed class StopAtStep(int step, CancellationTokenSource cts) : IProgress<TrainProgress>
{
    public void Report(TrainProgress p) { if (p.Step == step) cts.Cancel(); }
}

using System.Diagnostics;
using Tandem.Modeling;
using Tandem.Models.EncoderDecoder;
using Tandem.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Benchmarks.Workloads;

/// <summary>Mean times of a timed training step and its parts, and the loss at the first and last step.</summary>
/// <param name="Seconds">Forward, backward and AdamW step.</param>
/// <param name="Forward">The forward pass and loss.</param>
/// <param name="Backward">The backward pass.</param>
/// <param name="FirstLoss">Loss at the first (warm-up) step.</param>
/// <param name="LastLoss">Loss at the last step.</param>
public sealed record StepTimes(double Seconds, double Forward, double Backward, double FirstLoss, double LastLoss);

/// <summary>Training steps of the MiniLM-shaped BERT2BERT on random ids: forward with labels, backward, AdamW, in
/// float32 or under a bf16 <see cref="Autocast"/> scope (float32 master weights, as <c>precision: bf16</c> trains),
/// with the trainer's <see cref="FusedAdamW"/>.</summary>
public static class TrainingStep
{
    /// <summary>Runs <paramref name="warmUp"/> + <paramref name="steps"/> steps of <paramref name="batch"/> pairs
    /// (<paramref name="source"/> source and <paramref name="target"/> target tokens) and times the last ones.</summary>
    public static StepTimes Time(ScalarType dtype, int batch, int source, int target, int warmUp, int steps)
    {
        torch.manual_seed(0);
        using var model = new EncoderDecoderModel(MiniLmShape.Config());
        using var precision = Autocast.Enter(dtype == ScalarType.Float32 ? null : dtype);
        using var optimizer = new FusedAdamW(model.parameters(), 1e-4);                          // as `tandem train` steps
        model.train();
        using var ids = randint(1000, MiniLmShape.Vocab, [batch, source], dtype: ScalarType.Int64);       // [batch, src]
        using var labels = randint(1000, MiniLmShape.Vocab, [batch, target], dtype: ScalarType.Int64);    // [batch, tgt]
        double first = 0, last = 0, seconds = 0, forward = 0, backward = 0;
        for (int s = 0; s < warmUp + steps; s++)
        {
            var clock = Stopwatch.StartNew();
            double f, b;
            using (var scope = NewDisposeScope())
            {
                optimizer.zero_grad();
                using var output = model.forward(new Seq2SeqInput { InputIds = ids, Labels = labels });
                last = output.Loss!.item<float>();
                f = clock.Elapsed.TotalSeconds;
                output.Loss!.backward();
                b = clock.Elapsed.TotalSeconds;
                optimizer.step();
            }
            if (s == 0) first = last;
            if (s >= warmUp) (seconds, forward, backward) = (seconds + clock.Elapsed.TotalSeconds, forward + f, backward + b - f);
        }
        int n = Math.Max(1, steps);
        return new StepTimes(seconds / n, forward / n, backward / n, first, last);
    }
}

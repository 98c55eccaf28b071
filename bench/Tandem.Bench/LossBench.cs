using System.Globalization;
using Tandem.Benchmarks;
using Tandem.Benchmarks.Workloads;
using Tandem.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Bench;

/// <summary>
/// The training step's loss alone: mean cross-entropy over 1024 x 30522 bf16 logits (batch 16 x target 64 of the
/// MiniLM-shaped decoder), forward and backward into the logits, by Tandem's <see cref="FusedCrossEntropy"/> against
/// libtorch's way (widen to float32, <c>cross_entropy</c>, its backward narrowing back to bf16), alternating, medians.
/// </summary>
internal static class LossBench
{
    public static void Run(string[] args)
    {
        int reps = BenchArgs.Int(args, "--reps", 30), threads = BenchArgs.Int(args, "--threads", 2);
        torch.set_num_threads(threads);
        manual_seed(0);
        using var logits = (randn(16 * 64, MiniLmShape.Vocab) * 3).to(ScalarType.BFloat16).requires_grad_(true);
        using var labels = randint(MiniLmShape.Vocab, [16 * 64], dtype: ScalarType.Int64);
        double fused = 0, libtorch = 0;
        for (int round = 0; round < 3; round++)
        {
            fused = Repeat.MedianSeconds(2, reps, () => Step(() => FusedCrossEntropy.TryLoss(logits, labels, -100, 0.0)!, logits));
            libtorch = Repeat.MedianSeconds(2, reps, () => Step(() => nn.functional.cross_entropy(logits.to(ScalarType.Float32), labels), logits));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"loss over 1024 x {MiniLmShape.Vocab} bf16 logits, forward and backward, {threads} threads: fused {1000 * fused:F2} ms, libtorch {1000 * libtorch:F2} ms ({libtorch / fused:F2}x)"));
        }
    }

    static void Step(Func<Tensor> loss, Tensor logits)
    {
        using var scope = NewDisposeScope();
        _ = torch.autograd.grad([loss()], [logits]);                                              // the gradient, as a step's backward hands it on
    }
}

using Tandem.Kernels;
using Tandem.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Tests.Kernels;

public class FusedCrossEntropyTests
{
    /// <summary>Loss and gradient equal libtorch's <c>cross_entropy</c> of the float32 logits (mean over counted rows,
    /// label smoothing, ignored rows with a zero gradient), for float32 and bf16 logits (the gradient then rounded
    /// to bf16 once), a vocabulary that leaves a scalar tail, and an incoming gradient other than 1.</summary>
    [Theory]
    [InlineData(ScalarType.Float32, 0.0, 1e-6)]
    [InlineData(ScalarType.Float32, 0.1, 1e-6)]
    [InlineData(ScalarType.BFloat16, 0.0, 1e-2)]
    [InlineData(ScalarType.BFloat16, 0.2, 1e-2)]
    public void MatchesLibtorchsLossAndGradient(ScalarType dtype, double smoothing, double gradTolerance)
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        const int rows = 37, vocab = 1003;
        var values = (randn(rows, vocab) * 3).to(dtype);
        var labels = randint(0, vocab, [rows], dtype: ScalarType.Int64);
        labels[3] = Seq2SeqLabels.IgnoreIndex;
        labels[20] = Seq2SeqLabels.IgnoreIndex;

        var logits = values.clone().requires_grad_();
        var loss = FusedCrossEntropy.TryLoss(logits, labels, Seq2SeqLabels.IgnoreIndex, smoothing);
        Assert.NotNull(loss);
        (loss! * 3).backward();

        var reference = values.to(ScalarType.Float32).requires_grad_();
        var expected = nn.functional.cross_entropy(reference, labels, ignore_index: Seq2SeqLabels.IgnoreIndex, label_smoothing: smoothing);
        (expected * 3).backward();

        Assert.Equal(ScalarType.Float32, loss.dtype);
        Assert.Equal(expected.item<float>(), loss.item<float>(), 1e-5f);
        Assert.Equal(dtype, logits.grad!.dtype);
        var grad = logits.grad.to(ScalarType.Float32);
        Assert.True(grad[3].eq(0).all().item<bool>() && grad[20].eq(0).all().item<bool>(), "ignored rows get no gradient");
        double scale = reference.grad!.abs().max().item<float>();
        Assert.True((grad - reference.grad).abs().max().item<float>() <= gradTolerance * scale);
    }

    /// <summary>A retained graph run backward twice accumulates the same gradient twice (the saved gradient is not
    /// scaled in place).</summary>
    [Fact]
    public void ARetainedGraphGivesTheSameGradientAgain()
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        var logits = randn(6, 40).requires_grad_();
        var labels = randint(0, 40, [6], dtype: ScalarType.Int64);
        var loss = FusedCrossEntropy.TryLoss(logits, labels, -100, 0.1)! * 2;
        loss.backward(retain_graph: true);
        var once = logits.grad!.clone();
        loss.backward();
        Assert.True((logits.grad! - 2 * once).abs().max().item<float>() <= 1e-6f);
    }

    /// <summary>Without gradients recorded (evaluation) it only computes the loss.</summary>
    [Fact]
    public void EvaluationComputesTheLossOnly()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var logits = randn(8, 50);
        var labels = randint(0, 50, [8], dtype: ScalarType.Int64);
        using var noGrad = no_grad();
        var loss = FusedCrossEntropy.TryLoss(logits, labels, -100, 0.0)!;
        Assert.False(loss.requires_grad);
        Assert.Equal(nn.functional.cross_entropy(logits, labels).item<float>(), loss.item<float>(), 1e-5f);
    }

    /// <summary>A NaN among the logits makes the loss NaN, as libtorch's does (a diverging run is not hidden), in
    /// float32 and bf16 and in the vector loop or the tail of a row.</summary>
    [Theory]
    [InlineData(ScalarType.Float32, 5)]
    [InlineData(ScalarType.BFloat16, 5)]
    [InlineData(ScalarType.BFloat16, 1001)]
    public void ANaNLogitGivesANaNLoss(ScalarType dtype, int column)
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var logits = randn(4, 1003);
        logits[2, column] = float.NaN;
        var loss = FusedCrossEntropy.TryLoss(logits.to(dtype), tensor(new long[] { 1, 2, 3, 4 }), -100, 0.0)!;
        Assert.True(float.IsNaN(loss.item<float>()), $"loss {loss.item<float>()}");
    }

    /// <summary>Labels out of range and batches with every row ignored are left to libtorch (its error, its NaN).</summary>
    [Fact]
    public void DeclinesBadLabelsAndEmptyBatches()
    {
        using var scope = NewDisposeScope();
        var logits = randn(4, 10);
        Assert.Null(FusedCrossEntropy.TryLoss(logits, tensor(new long[] { 1, 2, 10, 3 }), -100, 0.0));
        Assert.Null(FusedCrossEntropy.TryLoss(logits, tensor(new long[] { -100, -100, -100, -100 }), -100, 0.0));
        Assert.ThrowsAny<Exception>(() => Seq2SeqLabels.Loss(logits.unsqueeze(0), tensor(new long[] { 1, 2, 10, 3 }).unsqueeze(0)));
    }
}

using Tandem.Kernels;
using Tandem.Modeling;
using Tandem.Tests.TestSupport;
using static TorchSharp.torch;

namespace Tandem.Tests.Kernels;

[Collection(SequentialCollection.Name)]                                    // a seed must give the same dropout masks
public class AttentionSoftmaxTests
{
    /// <summary>libtorch's operations the kernel replaces: widen and add the float32 mask, softmax, dropout (the same
    /// <see cref="DropoutMask"/> draw), round to the scores' dtype.</summary>
    static Tensor Operations(Tensor scores, Tensor? mask, double p)
    {
        var probabilities = (mask is null ? scores.to(ScalarType.Float32) : scores.to(ScalarType.Float32) + mask).softmax(-1);
        if (p > 0) probabilities = Dropout.Apply(probabilities, p);
        return probabilities.to(scores.dtype);
    }

    /// <summary>A decoder's mask (causal and padding, <c>[batch, 1, tgt, src]</c>) or an encoder's (padding,
    /// <c>[batch, 1, 1, src]</c>), float32 with its large negatives.</summary>
    static Tensor Mask(bool causal, long tgt, long src)
    {
        var keep = ones(2, src, dtype: ScalarType.Int64);
        keep[1, (int)(src - Math.Min(3, src - 1))..] = 0;                                      // the second row padded
        return causal ? AttentionMasks.CausalPlusPadding(keep, tgt, 0, ScalarType.Float32) : AttentionMasks.CrossAttention(keep, ScalarType.Float32);
    }

    /// <summary>Without dropout the float32 probabilities and the scores' gradient equal libtorch's to float32
    /// rounding, for both kinds of mask, no mask, and rows longer and shorter than a register (the scalar tails);
    /// a key the mask hides gets exactly 0.</summary>
    [Theory]
    [InlineData(true, 7, 7)]
    [InlineData(false, 5, 37)]
    [InlineData(true, 64, 64)]
    [InlineData(false, 3, 1)]
    public void EqualsLibtorchsOperationsInFloat32(bool causal, long tgt, long src)
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        var mask = Mask(causal, tgt, src);
        var scores0 = randn(2, 3, tgt, src) * 3;
        foreach (var m in new[] { mask, null })
        {
            var (scores, expectedScores) = (scores0.clone().requires_grad_(), scores0.clone().requires_grad_());
            var actual = AttentionSoftmax.TryApply(scores, m, 0.0)!;
            var expected = Operations(expectedScores, m, 0.0);
            Assert.True(Reference.MaxAbsDiff(actual, expected) <= 1e-6, $"probabilities differ by {Reference.MaxAbsDiff(actual, expected)}");
            var upstream = randn(actual.shape);
            actual.backward([upstream]);
            expected.backward([upstream]);
            Assert.True(Reference.MaxAbsDiff(scores.grad!, expectedScores.grad!) <= 1e-5, "gradients differ");
        }
        using var noGrad = no_grad();
        var probabilities = AttentionSoftmax.TryApply(scores0, mask, 0.0)!;
        Assert.True(probabilities.masked_select(mask.expand(probabilities.shape).lt(-1e30)).eq(0).all().item<bool>(), "hidden keys get 0");
    }

    /// <summary>bf16 scores: the probabilities and gradient in bf16, within bf16's rounding of libtorch's.</summary>
    [Fact]
    public void Bf16StaysWithinRoundingOfLibtorchs()
    {
        using var scope = NewDisposeScope();
        manual_seed(22);
        var mask = Mask(true, 16, 16);
        var scores0 = (randn(2, 4, 16, 16) * 3).to(ScalarType.BFloat16);
        var (scores, expectedScores) = (scores0.clone().requires_grad_(), scores0.clone().requires_grad_());
        var actual = AttentionSoftmax.TryApply(scores, mask, 0.0)!;
        var expected = Operations(expectedScores, mask, 0.0);
        Assert.Equal(ScalarType.BFloat16, actual.dtype);
        Assert.True(Reference.MaxAbsDiff(actual, expected) <= 4e-3);                             // one bf16 step at 1
        var upstream = randn(actual.shape).to(ScalarType.BFloat16);
        actual.backward([upstream]);
        expected.backward([upstream]);
        Assert.Equal(ScalarType.BFloat16, scores.grad!.dtype);
        Assert.True(Reference.MaxAbsDiff(scores.grad!, expectedScores.grad!) <= 2e-2);
    }

    /// <summary>With dropout, a seed gives the masks libtorch's operations get from <see cref="Dropout"/> (the same
    /// draw at the same point, the same element indices): the same zeros, the same values to float32 rounding, the
    /// same gradient; and the kept share is about 1 - p.</summary>
    [Fact]
    public void DropsOutAsDropoutDoesWithTheSameSeed()
    {
        using var scope = NewDisposeScope();
        manual_seed(23);
        var mask = Mask(true, 40, 40);
        var scores0 = randn(2, 3, 40, 40);
        var (scores, expectedScores) = (scores0.clone().requires_grad_(), scores0.clone().requires_grad_());
        manual_seed(5);
        var actual = AttentionSoftmax.TryApply(scores, mask, 0.25)!;
        manual_seed(5);
        var expected = Operations(expectedScores, mask, 0.25);
        Assert.True(actual.eq(0).eq(expected.eq(0)).all().item<bool>(), "the same elements dropped");
        Assert.True(Reference.MaxAbsDiff(actual, expected) <= 1e-6);
        var upstream = randn(actual.shape);
        actual.backward([upstream]);
        expected.backward([upstream]);
        Assert.True(Reference.MaxAbsDiff(scores.grad!, expectedScores.grad!) <= 1e-5);
        var visible = mask.expand(actual.shape).gt(-1e30);
        double kept = actual.masked_select(visible).ne(0).to(ScalarType.Float64).mean().item<double>();
        Assert.InRange(kept, 0.70, 0.80);
    }

    /// <summary>What it does not serve is declined (the caller runs libtorch's operations): other dtypes, shapes,
    /// non-contiguous scores, a mask that does not broadcast.</summary>
    [Fact]
    public void DeclinesWhatItCannotServe()
    {
        using var scope = NewDisposeScope();
        Assert.Null(AttentionSoftmax.TryApply(zeros(2, 3, 4, 5, dtype: ScalarType.Float64), null, 0.0));
        Assert.Null(AttentionSoftmax.TryApply(zeros(3, 4, 5), null, 0.0));
        Assert.Null(AttentionSoftmax.TryApply(zeros(2, 3, 5, 4).transpose(2, 3), null, 0.0));
        Assert.Null(AttentionSoftmax.TryApply(zeros(2, 3, 4, 5), zeros(2, 1, 4, 6), 0.0));
        Assert.Null(AttentionSoftmax.TryApply(zeros(2, 3, 4, 5), zeros(3, 1, 4, 5), 0.0));
    }
}

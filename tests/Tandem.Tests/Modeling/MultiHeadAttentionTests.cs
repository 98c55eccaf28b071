using Tandem.Modeling;
using static TorchSharp.torch;

namespace Tandem.Tests.Modeling;

public class MultiHeadAttentionTests
{
    /// <summary>softmax(q kᵀ · scale + mask) v, written out, merged over heads.</summary>
    static Tensor Eager(Tensor q, Tensor k, Tensor v, Tensor mask, double scale)
    {
        var probs = (q.matmul(k.transpose(-1, -2)) * scale + mask).softmax(-1);              // [batch, heads, tgt, src]
        var context = probs.matmul(v);                                                          // [batch, heads, tgt, headDim]
        return context.transpose(1, 2).reshape(q.shape[0], q.shape[2], q.shape[1] * q.shape[3]);
    }

    [Theory]
    [InlineData(null)]            // GPT-2 and BERT: 1 / sqrt(head_dim)
    [InlineData(1.0)]             // GPT-2 scale_attn_weights = false
    [InlineData(0.125)]           // scale_attn_by_inverse_layer_idx: 1 / (sqrt(16) * (layer + 1)), layer 1
    public void TheFusedProductScalesAsAsked(double? scale)
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var q = randn(2, 3, 4, 16);
        var k = randn(2, 3, 6, 16);
        var v = randn(2, 3, 6, 16);
        var keep = tensor(new long[] { 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1 }, [2, 6]);
        var mask = AttentionMasks.CrossAttention(keep, ScalarType.Float32);                      // [batch, 1, 1, src]
        var fused = MultiHeadAttention.Attend(q, k, v, mask, 0.0, scale);
        var eager = Eager(q, k, v, mask, scale ?? 0.25);
        Assert.True(Tandem.Tests.TestSupport.Reference.MaxAbsDiff(fused, eager) <= 1e-5);
    }

    /// <summary>With gradients recorded (training), attention runs as explicit products rather than libtorch's fused
    /// kernel: the same values and the same gradients as the written-out formula, in float32, and within bf16's
    /// rounding of it for bf16 inputs (bf16 products, mask, softmax and dropout on the scores widened to float32).</summary>
    [Theory]
    [InlineData(ScalarType.Float32, 1e-5)]
    [InlineData(ScalarType.BFloat16, 2e-2)]
    public void TrainingProductsMatchTheFormulaAndItsGradients(ScalarType dtype, double tolerance)
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        var (q0, k0, v0) = (randn(2, 3, 5, 8), randn(2, 3, 7, 8), randn(2, 3, 7, 8));
        var keep = tensor(new long[] { 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1 }, [2, 7]);
        var mask = AttentionMasks.CrossAttention(keep, ScalarType.Float32);                      // [batch, 1, 1, src]
        var (q, k, v) = (q0.to(dtype).requires_grad_(), k0.to(dtype).requires_grad_(), v0.to(dtype).requires_grad_());
        var actual = MultiHeadAttention.Attend(q, k, v, mask, 0.0);
        Assert.Equal(dtype, actual.dtype);
        actual.to(ScalarType.Float32).square().sum().backward();
        var (qe, ke, ve) = (q0.to(dtype).to(ScalarType.Float32).requires_grad_(), k0.to(dtype).to(ScalarType.Float32).requires_grad_(),
            v0.to(dtype).to(ScalarType.Float32).requires_grad_());
        var expected = Eager(qe, ke, ve, mask, 1 / Math.Sqrt(8));
        expected.square().sum().backward();
        Assert.True(Tandem.Tests.TestSupport.Reference.MaxAbsDiff(actual.to(ScalarType.Float32), expected) <= tolerance);
        foreach (var (a, e) in new[] { (q, qe), (k, ke), (v, ve) })
            Assert.True(Tandem.Tests.TestSupport.Reference.MaxAbsDiff(a.grad!.to(ScalarType.Float32), e.grad!) <= 20 * tolerance);
    }

    /// <summary>Training's bf16 attention adds the float32 mask to the bf16 scores, which widens them in the same
    /// operation: the same output and the same bf16 gradients, bit for bit, as widening the scores first.</summary>
    [Fact]
    public void TrainingAddsTheMaskAsWideningFirstWould()
    {
        using var scope = NewDisposeScope();
        manual_seed(9);
        var mask = AttentionMasks.CrossAttention(tensor(new long[] { 1, 1, 0, 1, 1, 1, 1, 0 }, [2, 4]), ScalarType.Float32);
        var (q0, k0, v0) = (randn(2, 3, 5, 8).to(ScalarType.BFloat16), randn(2, 3, 4, 8).to(ScalarType.BFloat16), randn(2, 3, 4, 8).to(ScalarType.BFloat16));
        var (q, k, v) = (q0.clone().requires_grad_(), k0.clone().requires_grad_(), v0.clone().requires_grad_());
        var actual = MultiHeadAttention.Attend(q, k, v, mask, 0.0);                               // [2, 5, 24], bf16
        var (qe, ke, ve) = (q0.clone().requires_grad_(), k0.clone().requires_grad_(), v0.clone().requires_grad_());
        var scores = qe.mul(1 / Math.Sqrt(8)).matmul(ke.transpose(-2, -1)).to(ScalarType.Float32).add(mask);
        var expected = scores.softmax(-1).to(ScalarType.BFloat16).matmul(ve).transpose(1, 2).reshape(2, 5, 24);
        Assert.True(actual.eq(expected).all().item<bool>());
        var upstream = randn(2, 5, 24).to(ScalarType.BFloat16);
        actual.backward([upstream]);
        expected.backward([upstream]);
        foreach (var (a, e) in new[] { (q, qe), (k, ke), (v, ve) })
            Assert.True(a.grad!.eq(e.grad!).all().item<bool>());
    }

    /// <summary>bf16 attention of several queries without gradients (an encoder pass, runs as bf16 products with a
    /// float32 softmax) stays within bf16's error of the float32 formula, masked keys included; one query (a cached
    /// decoding step, the fused kernel) too.</summary>
    [Theory]
    [InlineData(5)]
    [InlineData(1)]
    public void Bf16InferenceStaysWithinBf16ErrorOfFloat32(int queries)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        manual_seed(11);
        var (q, k, v) = (randn(2, 4, queries, 32), randn(2, 4, 9, 32), randn(2, 4, 9, 32));
        var keep = tensor(new long[] { 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, [2, 9]);
        var mask = AttentionMasks.CrossAttention(keep, ScalarType.Float32);                      // [batch, 1, 1, src]
        var bf16 = MultiHeadAttention.Attend(q.to(ScalarType.BFloat16), k.to(ScalarType.BFloat16), v.to(ScalarType.BFloat16), mask, 0.0);
        Assert.Equal(ScalarType.BFloat16, bf16.dtype);
        var expected = Eager(q, k, v, mask, 1 / Math.Sqrt(32));
        Assert.True(Tandem.Tests.TestSupport.Reference.MaxAbsDiff(bf16.to(ScalarType.Float32), expected) <= 0.05);
    }

    /// <summary>bf16 attention of several queries takes libtorch's bf16 softmax of the bf16 scores with the mask added
    /// in bf16: the same bits as adding the float32 mask, taking the softmax in float32 and rounding the probabilities
    /// to bf16 (what it did before), for padded keys and causal masks.</summary>
    [Fact]
    public void Bf16SoftmaxEqualsTheRoundedFloat32One()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        manual_seed(12);
        var (q, k, v) = (randn(2, 4, 9, 32).to(ScalarType.BFloat16), randn(2, 4, 9, 32).to(ScalarType.BFloat16), randn(2, 4, 9, 32).to(ScalarType.BFloat16));
        var keep = tensor(new long[] { 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, [2, 9]);
        var padded = AttentionMasks.CrossAttention(keep, ScalarType.Float32);                    // [batch, 1, 1, src]
        var causal = padded + triu(full(9, 9, AttentionMasks.MinValue(ScalarType.Float32)), 1);  // [batch, 1, tgt, src]
        foreach (var mask in new[] { padded, causal.clamp_min(AttentionMasks.MinValue(ScalarType.Float32)) })
        {
            var scores = (q * (1 / Math.Sqrt(32))).matmul(k.transpose(-2, -1)).to(ScalarType.Float32) + mask;
            var expected = scores.softmax(-1).to(ScalarType.BFloat16).matmul(v);                // [batch, heads, tgt, headDim]
            var actual = MultiHeadAttention.Attend(q, k, v, mask, 0.0);
            Assert.True(actual.eq(expected.transpose(1, 2).reshape(2, 9, 128)).all().item<bool>());
        }
    }

    /// <summary>A model converts its masks once for all layers under a bf16 scope without gradients: attention then
    /// gives the same bits as with the float32 mask, which each layer converted (several queries and one); with
    /// gradients recorded the mask stays as it is.</summary>
    [Theory]
    [InlineData(9)]
    [InlineData(1)]
    public void MasksConvertedOnceGiveTheSameAttention(int queries)
    {
        using var scope = NewDisposeScope();
        manual_seed(13);
        var keep = tensor(new long[] { 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, [2, 9]);
        var mask = AttentionMasks.CrossAttention(keep, ScalarType.Float32);                      // [batch, 1, 1, src]
        using var precision = Autocast.Enter(ScalarType.BFloat16);
        Assert.Same(mask, MultiHeadAttention.ForProducts(mask));                                 // gradients recorded
        using var noGrad = no_grad();
        var once = MultiHeadAttention.ForProducts(mask)!;
        Assert.Equal(ScalarType.BFloat16, once.dtype);
        var (q, k, v) = (randn(2, 4, queries, 32).to(ScalarType.BFloat16), randn(2, 4, 9, 32).to(ScalarType.BFloat16), randn(2, 4, 9, 32).to(ScalarType.BFloat16));
        Assert.True(MultiHeadAttention.Attend(q, k, v, once, 0.0).eq(MultiHeadAttention.Attend(q, k, v, mask, 0.0)).all().item<bool>());
    }

    /// <summary>Attention dropout zeroes probabilities and scales the rest by 1 / (1 - p): with values set to the
    /// identity, the context rows are the dropped probability rows; each is 0 or 1 / (1 - p) times the undropped one.</summary>
    [Fact]
    public void DropoutActsOnTheProbabilities()
    {
        using var scope = NewDisposeScope();
        manual_seed(8);
        var q = randn(1, 2, 6, 6);
        var k = randn(1, 2, 6, 6);
        var v = eye(6).expand(1, 2, 6, 6);
        var plain = MultiHeadAttention.Attend(q, k, v, null, 0.0).view(1, 6, 2, 6);              // probabilities, merged heads
        var dropped = MultiHeadAttention.Attend(q, k, v, null, 0.5).view(1, 6, 2, 6);
        var ratio = dropped / plain;
        Assert.True((ratio.eq(0) | (ratio - 2).abs().lt(1e-5)).all().item<bool>());
        Assert.True(ratio.eq(0).any().item<bool>() && ratio.ne(0).any().item<bool>());
    }

    [Fact]
    public void GptMaskAddsCausalAndPaddingAsTransformersDoes()
    {
        using var scope = NewDisposeScope();
        var mask = AttentionMasks.CausalPlusPadding(tensor(new long[] { 0, 0, 1, 1 }, [1, 4]), 4, 0, ScalarType.Float32); // [1, 1, 4, 4]
        Assert.Equal(float.MinValue, mask[0, 0, 0, 0].item<float>());                           // a pad key
        Assert.True(float.IsNegativeInfinity(mask[0, 0, 0, 1].item<float>()));                  // a pad key in the future: both
        Assert.Equal(float.MinValue, mask[0, 0, 2, 3].item<float>());                           // a real key in the future
        Assert.Equal(0f, mask[0, 0, 3, 2].item<float>());
        var probs = (zeros(1, 1, 4, 4) + mask).softmax(-1);                                     // equal scores
        Assert.Equal(1f / 3, probs[0, 0, 0, 0].item<float>(), 1e-6f);                           // the left pad: keys 0, 2, 3
        Assert.Equal(0f, probs[0, 0, 0, 1].item<float>());
        Assert.Equal(0.5f, probs[0, 0, 3, 2].item<float>(), 1e-6f);                             // a real query: real keys only
    }
}

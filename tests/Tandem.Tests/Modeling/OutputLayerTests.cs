using Tandem.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Tests.Modeling;

public class OutputLayerTests
{
    /// <summary>The decoding copy is the transposed weight <c>[hidden, vocab]</c>, contiguous, in the matmul dtype;
    /// through it the logits are the layer's own float32 ones, in float32 and under a bf16 scope (where four rows go
    /// through the few-row bf16 kernel), with a bias and without one (GPT-2).</summary>
    [Theory]
    [InlineData(false, true)]
    [InlineData(true, true)]
    [InlineData(true, false)]
    public void LogitsThroughTheTransposedCopyAreTheLayersOwn(bool bf16, bool withBias)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        manual_seed(3);
        var weight = new TorchSharp.Modules.Parameter(randn(50, 16));                            // [vocab, hidden], as a tied embedding
        var bias = new TorchSharp.Modules.Parameter(randn(50));
        using var output = new Linear(weight, withBias ? bias : null);
        var hidden = randn(4, 1, 16);                                                           // [rows, len, hidden]
        using var precision = Autocast.Enter(bf16 ? ScalarType.BFloat16 : null);

        var copy = OutputLayer.Transposed(output);
        Assert.Equal(new long[] { 16, 50 }, copy.shape);
        Assert.True(copy.is_contiguous());
        Assert.Equal(bf16 ? ScalarType.BFloat16 : ScalarType.Float32, copy.dtype);

        Tensor expected;
        using (Autocast.Enter(null)) expected = output.forward(hidden);                        // [4, 1, 50], float32
        var actual = OutputLayer.Logits(output, hidden, copy).to(ScalarType.Float32);
        Assert.Equal(expected.shape, actual.shape);
        // bf16: the weight's rounding (about 0.01 here) and the result's (one bf16 step, 2^-8 of the value, for the
        // few-row kernel and libtorch alike).
        var tolerance = bf16 ? expected.abs() / 128 + 0.05 : full_like(expected, 1e-5);
        Assert.True((actual - expected).abs().le(tolerance).all().item<bool>(), $"largest difference {(actual - expected).abs().max().item<float>()}");
        Assert.Equal(expected.argmax(-1).data<long>().ToArray(), actual.argmax(-1).data<long>().ToArray());
    }
}

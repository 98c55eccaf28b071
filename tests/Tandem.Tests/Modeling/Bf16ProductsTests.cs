using Tandem.Modeling;
using Tandem.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Tests.Modeling;

/// <summary>
/// Every bf16 product of Tandem's layers is libtorch's (oneDNN's kernels on the CPU), so their results are checked
/// here against float32 products of the same bf16 values, at the row counts of decoding steps, encoder passes and
/// training steps and at widths off the kernels' 16- and 32-wide blocks. Why: on this project's AMD CPU, libtorch
/// 2.10's oneDNN 3.7.1 gives wrong float32 1 x 1 convolutions (its <c>brgconv_1x1</c> kernel) at many such widths
/// (100, 290-302, 400, 2000 outputs), which a faster float32 route through it would have used; this keeps a TorchSharp
/// upgrade from bringing such a bug into the products Tandem does use. In the sequential collection: it sets
/// libtorch's thread count (the kernels split work by it).
/// </summary>
[Collection(SequentialCollection.Name)]
public sealed class Bf16ProductsTests
{
    static readonly long[] Rows = [1, 4, 8, 64, 256, 1024];
    static readonly long[] Widths = [31, 100, 302, 400, 1536, 2000];

    /// <summary>A model of one layer (<see cref="InferenceWeights.Hold"/> holds the layers below a model).</summary>
    sealed class Holder : nn.Module
    {
#pragma warning disable IDE0052 // registered as a submodule
        readonly Linear layer;
#pragma warning restore IDE0052

        public Holder(Linear layer) : base("holder")
        {
            this.layer = layer;
            RegisterComponents();
        }
    }

    /// <summary><see cref="Linear"/> under bf16 autocast (its column-major weight, no gradient) equals the float32
    /// product of the bf16-rounded input and weight within one bf16 rounding of the output: with its weight
    /// converted for each product (oneDNN's matmul), and held in bf16 as decoding sessions and <c>embed</c> hold it
    /// (one to four rows then go through Tandem's own matrix-vector kernel, more through oneDNN's).</summary>
    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(1, true)]
    [InlineData(2, true)]
    public void ForwardProductsEqualFloat32OnesWithinBf16Rounding(int threads, bool held)
    {
        int before = get_num_threads();
        set_num_threads(threads);
        try
        {
            using var scope = NewDisposeScope();
            manual_seed(3);
            using var noGrad = no_grad();
            foreach (long inputs in new long[] { 64, 384 })
                foreach (long outputs in Widths)
                {
                    using var layer = new Linear(inputs, outputs);
                    layer.weight.normal_(0, 1);
                    layer.bias!.normal_(0, 1);
                    var model = new Holder(layer);                                            // Hold looks below a model
                    using var hold = held ? InferenceWeights.Hold(model, ScalarType.BFloat16) : null;
                    Assert.Equal(held, layer.Cast.IsHeld);
                    var w = layer.weight.to(ScalarType.BFloat16).to(ScalarType.Float32);
                    var b = layer.bias!.to(ScalarType.BFloat16).to(ScalarType.Float32);
                    foreach (long rows in Rows)
                    {
                        using var step = NewDisposeScope();
                        var x = randn(rows, inputs).to(ScalarType.BFloat16);
                        Tensor y;
                        using (Autocast.Enter(ScalarType.BFloat16)) y = layer.forward(x).to(ScalarType.Float32);
                        var exact = nn.functional.linear(x.to(ScalarType.Float32), w, b);
                        AssertWithinBf16(exact, y, $"{rows} x {inputs} -> {outputs}, {threads} thread(s), held {held}");
                    }
                }
        }
        finally { set_num_threads(before); }
    }

    /// <summary>The two gradient products of a bf16 training step (input and weight) equal float32 ones within bf16
    /// rounding, at training row counts.</summary>
    [Fact]
    public void GradientProductsEqualFloat32OnesWithinBf16Rounding()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        foreach (long outputs in Widths)
            foreach (long rows in new long[] { 256, 1024 })
            {
                using var step = NewDisposeScope();
                const long inputs = 384;
                var x = randn(rows, inputs).to(ScalarType.BFloat16);
                var w = randn(outputs, inputs).to(ScalarType.BFloat16);
                var g = randn(rows, outputs).to(ScalarType.BFloat16);
                var (xb, wb) = (x.clone().requires_grad_(), w.clone().requires_grad_());
                nn.functional.linear(xb, wb).backward([g]);
                var (xf, wf) = (x.to(ScalarType.Float32).requires_grad_(), w.to(ScalarType.Float32).requires_grad_());
                nn.functional.linear(xf, wf).backward([g.to(ScalarType.Float32)]);
                AssertWithinBf16(xf.grad!, xb.grad!.to(ScalarType.Float32), $"input gradient, {rows} x {inputs} -> {outputs}");
                AssertWithinBf16(wf.grad!, wb.grad!.to(ScalarType.Float32), $"weight gradient, {rows} x {inputs} -> {outputs}");
            }
    }

    /// <summary>Each value within 2⁻⁷ of its float32 value's magnitude (one bf16 rounding is at most 2⁻⁹ relative),
    /// plus a small absolute term for values near zero.</summary>
    static void AssertWithinBf16(Tensor exact, Tensor actual, string what)
    {
        var allowed = exact.abs() * (1.0 / 128) + exact.abs().max() * 1e-3;
        var excess = ((actual - exact).abs() - allowed).max().item<float>();
        Assert.True(excess <= 0, $"{what}: off by {excess} beyond bf16 rounding (max |difference| {(actual - exact).abs().max().item<float>()})");
    }
}

using Tandem.Training.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using Tandem.Tests.TestSupport;
using static TorchSharp.torch;

namespace Tandem.Tests.Training;

[Collection(SequentialCollection.Name)]                                    // both optimizers start from one seed's parameters
public class FusedAdamWTests
{
    /// <summary>Two groups (weight decay and a rate of their own; none and the defaults) over a column-major Linear
    /// weight, a row-major matrix, a vector and an odd-sized tensor (the kernel's scalar tail): after six steps
    /// the parameters equal TorchSharp's AdamW's to float32 rounding.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void StepsAsTorchSharpsAdamW(bool maximize)
    {
        using var scope = NewDisposeScope();
        var (fused, fusedParams) = Build(f => new FusedAdamW(f, 1e-3, 0.9, 0.98, 1e-6, 0.0), maximize);
        var (plain, plainParams) = Build(p => new AdamW(p, 1e-3, 0.9, 0.98, 1e-6, 0.0), maximize);
        for (int step = 0; step < 6; step++)
        {
            manual_seed(100 + step);
            foreach (var (a, b) in fusedParams.Zip(plainParams))
            {
                var g = randn(a.shape);
                a.grad = empty_like(a).copy_(g);                                                  // the parameter's layout, as autograd makes it
                b.grad = empty_like(b).copy_(g);
            }
            fused.step();
            plain.step();
        }
        foreach (var (a, b) in fusedParams.Zip(plainParams))
            Assert.True(a.allclose(b, rtol: 1e-5, atol: 1e-7), $"parameter {string.Join('x', a.shape)} differs");
    }

    /// <summary>A parameter outside the kernel's reach (bf16) makes the whole step the base class's, which still updates.</summary>
    [Fact]
    public void OtherDtypesTakeTheBaseStep()
    {
        using var scope = NewDisposeScope();
        var p = new Parameter(ones(5, dtype: ScalarType.BFloat16));
        using var optimizer = new FusedAdamW([p], 0.1);
        p.grad = ones(5, dtype: ScalarType.BFloat16);
        optimizer.step();
        Assert.True(p.lt(1).all().item<bool>());
    }

    /// <summary><c>zero_grad</c> leaves no gradient, as PyTorch's does by default (TorchSharp's zeroes them): the next
    /// backward pass hands over gradients in the parameters' layouts (a column-major Linear weight's stays column-major,
    /// so the fused kernel applies), three steps equal TorchSharp's AdamW's over zeroed gradients, and a parameter no
    /// backward pass reached is left alone, weight decay included.</summary>
    [Fact]
    public void ZeroGradLeavesNoGradient()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var fusedLayer = new Tandem.Modeling.Linear(5, 4);
        var plainLayer = new Tandem.Modeling.Linear(5, 4);
        using (no_grad())
        {
            fusedLayer.weight.normal_();
            plainLayer.weight.copy_(fusedLayer.weight);
        }
        var unused = new Parameter(ones(3));
        using var fused = new FusedAdamW([fusedLayer.weight, fusedLayer.bias!, unused], 1e-2, weightDecay: 0.1);
        using var plain = new AdamW([plainLayer.weight, plainLayer.bias!], 1e-2, weight_decay: 0.1);
        var x = randn(8, 5);
        for (int step = 0; step < 3; step++)
        {
            fused.zero_grad();
            plain.zero_grad();
            Assert.Null(fusedLayer.weight.grad);
            if (step > 0) Assert.NotNull(plainLayer.weight.grad);                                   // TorchSharp's zeroes them in place
            fusedLayer.forward(x).square().sum().backward();
            plainLayer.forward(x).square().sum().backward();
            Assert.Equal(fusedLayer.weight.stride(), fusedLayer.weight.grad!.stride());
            fused.step();
            plain.step();
        }
        Assert.True(fusedLayer.weight.allclose(plainLayer.weight, rtol: 1e-5, atol: 1e-7));
        Assert.True(fusedLayer.bias!.allclose(plainLayer.bias!, rtol: 1e-5, atol: 1e-7));
        Assert.True(unused.eq(1).all().item<bool>());
    }

    /// <summary><c>ClipGradNorm</c> then <c>step</c> equals libtorch's <c>clip_grad_norm_</c> then TorchSharp's AdamW
    /// (the norm to float32 rounding, the parameters too), where the norm clips (gradients scaled by 200) and where it
    /// does not (a bound above it); the gradients themselves stay unscaled until the step, and a factor no step used
    /// goes with <c>zero_grad</c>.</summary>
    [Theory]
    [InlineData(200.0, 1.0)]
    [InlineData(1.0, 1e6)]
    public void ClipGradNormAsLibtorchs(double gradientSize, double maxNorm)
    {
        using var scope = NewDisposeScope();
        var (fused, fusedParams) = Build(f => new FusedAdamW(f, 1e-3, 0.9, 0.98, 1e-6, 0.0), maximize: false);
        var (plain, plainParams) = Build(p => new AdamW(p, 1e-3, 0.9, 0.98, 1e-6, 0.0), maximize: false);
        for (int step = 0; step < 3; step++)
        {
            manual_seed(200 + step);
            foreach (var (a, b) in fusedParams.Zip(plainParams))
            {
                var g = randn(a.shape) * gradientSize;
                a.grad = empty_like(a).copy_(g);
                b.grad = empty_like(b).copy_(g);
            }
            var before = fusedParams[0].grad!.clone();
            double norm = ((FusedAdamW)fused).ClipGradNorm(maxNorm);
            double expected = nn.utils.clip_grad_norm_(plainParams, maxNorm);
            Assert.Equal(expected, norm, expected * 1e-5);
            Assert.True(fusedParams[0].grad!.eq(before).all().item<bool>());                                 // scaled in the step, not here
            fused.step();
            plain.step();
        }
        foreach (var (a, b) in fusedParams.Zip(plainParams))
            Assert.True(a.allclose(b, rtol: 1e-5, atol: 1e-7), $"parameter {string.Join('x', a.shape)} differs");

        var p = new Parameter(zeros(4));
        var q = new Parameter(zeros(4));
        using var once = new FusedAdamW([p], 0.1, eps: 1.0);                                      // eps 1: the step follows the gradient's size
        using var reference = new AdamW([q], 0.1, eps: 1.0);
        p.grad = full(4, 1000f);
        once.ClipGradNorm(1.0);
        once.zero_grad();                                                                         // drops the factor
        p.grad = full(4, 0.5f);
        q.grad = full(4, 0.5f);
        once.step();
        reference.step();
        Assert.True(p.allclose(q, rtol: 1e-4), $"{p[0].item<float>()} against {q[0].item<float>()}");
    }

    static (AdamW Optimizer, Parameter[] Parameters) Build(Func<IEnumerable<AdamW.ParamGroup>, AdamW> make, bool maximize)
    {
        manual_seed(9);
        var columnMajor = new Parameter(randn(7, 5).t().contiguous().t());                      // [5, 7] stored as [7, 5]ᵀ
        Assert.False(columnMajor.is_contiguous());
        var rowMajor = new Parameter(randn(6, 4));
        var vector = new Parameter(randn(19));
        var odd = new Parameter(randn(3, 3, 3));
        var decayed = new AdamW.ParamGroup([columnMajor, rowMajor], 2e-3, 0.9, 0.98, 1e-6, 0.1, false, maximize);
        var plain = new AdamW.ParamGroup([vector, odd], 1e-3, 0.9, 0.98, 1e-6, 0.0, false, maximize);
        return (make([decayed, plain]), [columnMajor, rowMajor, vector, odd]);
    }
}

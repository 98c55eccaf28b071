using Tandem.Kernels;
using Tandem.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Tests.Kernels;

public class Float32LinearTests
{
    /// <summary>Output and the gradients of input, weight and bias equal libtorch's <c>linear</c> to float32 rounding,
    /// for a column-major weight (<see cref="Linear"/>'s own layout), a row-major one (an LM head tied to word
    /// embeddings), a transposed view (GPT-2's <see cref="Conv1D"/>), without a bias and with a 2-D or 3-D input;
    /// the weight's gradient comes in the weight's own layout.</summary>
    [Theory]
    [InlineData("column-major", true, 3)]
    [InlineData("row-major", true, 3)]
    [InlineData("column-major", false, 2)]
    [InlineData("row-major", false, 2)]
    public void MatchesLibtorchsLinearAndItsGradients(string layout, bool withBias, int inputDims)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        const int inDim = 96, outDim = 130;
        var values = randn(outDim, inDim);
        var weight = (layout == "column-major" ? values.t().contiguous().t() : values.clone()).requires_grad_();
        var bias = withBias ? randn(outDim).requires_grad_() : null;
        var input = (inputDims == 3 ? randn(3, 40, inDim) : randn(120, inDim)).requires_grad_();
        var gradient = randn([.. input.shape[..^1], outDim]);

        var y = Float32Linear.Apply(input, weight, bias);
        y.backward([gradient]);

        var (refWeight, refBias, refInput) = (values.clone().requires_grad_(), bias?.detach().clone().requires_grad_(), input.detach().clone().requires_grad_());
        var expected = nn.functional.linear(refInput, refWeight, refBias);
        expected.backward([gradient]);

        Assert.Equal(expected.shape, y.shape);
        AssertClose(expected, y, inDim);
        AssertClose(refInput.grad!, input.grad!, outDim);
        AssertClose(refWeight.grad!, weight.grad!, 3 * 40);
        if (bias is not null) AssertClose(refBias!.grad!, bias.grad!, 3 * 40);
        Assert.Equal(weight.stride(), weight.grad!.stride());
    }

    /// <summary>Only what requires a gradient gets one: a frozen weight and bias (a frozen encoder) leave the input's
    /// gradient as libtorch's; an input that needs none gives the weight's; without gradients recorded nothing is.</summary>
    [Fact]
    public void GradientsOnlyWhereRequired()
    {
        using var scope = NewDisposeScope();
        manual_seed(12);
        var weight = randn(70, 80);
        var bias = randn(70);
        var input = randn(100, 80).requires_grad_();
        Float32Linear.Apply(input, weight, bias).sum().backward();
        AssertClose(ones(100, 70).mm(weight), input.grad!, 70);
        Assert.Null(weight.grad);

        var trained = randn(70, 80).requires_grad_();
        var plain = randn(100, 80);
        Float32Linear.Apply(plain, trained, null).sum().backward();
        AssertClose(ones(70, 100).mm(plain), trained.grad!, 100);

        using (no_grad())
            Assert.False(Float32Linear.Apply(randn(100, 80), trained, null).requires_grad);
    }

    /// <summary>Products under <see cref="Float32Linear.MinSize"/> rows, inputs or outputs, and other dtypes, are
    /// libtorch's <c>linear</c>, bit for bit.</summary>
    [Theory]
    [InlineData(8, 384, 384, ScalarType.Float32)]
    [InlineData(128, 32, 384, ScalarType.Float32)]
    [InlineData(128, 384, 32, ScalarType.Float32)]
    [InlineData(128, 384, 384, ScalarType.BFloat16)]
    public void SmallProductsAndOtherDtypesAreLibtorchs(int rows, int inDim, int outDim, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        manual_seed(13);
        var (x, w, b) = (randn(rows, inDim).to(dtype), randn(outDim, inDim).to(dtype), randn(outDim).to(dtype));
        Assert.True(Float32Linear.Apply(x, w, b).equal(nn.functional.linear(x, w, b)).all().item<bool>());
    }

    /// <summary>A retained graph run backward twice accumulates the same gradients twice.</summary>
    [Fact]
    public void ARetainedGraphGivesTheSameGradientsAgain()
    {
        using var scope = NewDisposeScope();
        manual_seed(14);
        var weight = randn(64, 64).requires_grad_();
        var input = randn(64, 64).requires_grad_();
        var loss = Float32Linear.Apply(input, weight, null).square().sum();
        loss.backward(retain_graph: true);
        var (once, onceInput) = (weight.grad!.clone(), input.grad!.clone());
        loss.backward();
        AssertClose(once.add(once), weight.grad!, 64);
        AssertClose(onceInput.add(onceInput), input.grad!, 64);
    }

    /// <summary>Equal to float32 rounding: sums of <paramref name="terms"/> products in another order.</summary>
    static void AssertClose(Tensor expected, Tensor actual, int terms)
    {
        double scale = expected.abs().max().item<float>() + 1;
        double allowed = 4e-7 * Math.Sqrt(terms) * scale;
        double difference = actual.sub(expected).abs().max().item<float>();
        Assert.True(difference <= allowed, $"largest difference {difference} (allowed {allowed})");
    }
}

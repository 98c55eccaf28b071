using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Tandem.Modeling;

/// <summary>
/// transformers' <c>Conv1D</c> (GPT-2's projections): <c>y = x W + b</c> with <c>weight</c> stored
/// <c>[in, out]</c>, the transpose of <see cref="Linear"/>'s <c>[out, in]</c>. The layout difference lives here and
/// nowhere else: checkpoints load and save as transformers writes them. Multiplies in <see cref="Autocast.Dtype"/>
/// when a mixed-precision scope is active.
/// </summary>
internal sealed class Conv1D : nn.Module, ICastWeightsLayer
{
    [ComponentName(Name = "weight")] readonly Parameter _weight;
    [ComponentName(Name = "bias")] readonly Parameter _bias;

    /// <summary>A layer with uninitialised weight <c>[in, out]</c> and zero bias <c>[out]</c> (see <see cref="Initialization"/>).</summary>
    public Conv1D(long inputSize, long outputSize) : base("conv1d")
    {
        _weight = new Parameter(empty(inputSize, outputSize));
        _bias = new Parameter(zeros(outputSize));
        RegisterComponents();
    }

#pragma warning disable IDE1006 // names are Hugging Face checkpoint keys
    /// <summary>The weight <c>[in, out]</c>.</summary>
    public Parameter weight => _weight;
    /// <summary>The bias <c>[out]</c>.</summary>
    public Parameter bias => _bias;
#pragma warning restore IDE1006

    /// <inheritdoc />
    public CastWeights Cast { get; } = new();

    /// <inheritdoc />
    public (Tensor Weight, Tensor? Bias) LinearWeights() => (_weight.t(), _bias);

    public Tensor forward(Tensor x)
    {
        // linear(x, Wᵀ) reads the contiguous [in, out] storage through a transposed view: the layout libtorch
        // multiplies fastest with (see Linear's remarks).
        if (Autocast.Dtype is not { } dt) return Kernels.Float32Linear.Apply(x, _weight.t(), _bias);
        return Cast.Linear(x, dt, LinearWeights);
    }
}

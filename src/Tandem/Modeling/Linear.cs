using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Tandem.Modeling;

/// <summary>
/// <c>y = x Wᵀ + b</c> with managed <c>weight</c> <c>[out, in]</c> and <c>bias</c> <c>[out]</c> parameters (checkpoint
/// names), settable so they can be tied or shared, and computed in <see cref="Autocast.Dtype"/> when a mixed-precision
/// scope is active.
/// </summary>
/// <remarks>
/// A weight this layer creates has the checkpoint's shape <c>[out, in]</c> but is stored column-major: it is the
/// transposed view of a contiguous <c>[in, out]</c> tensor, so <c>Wᵀ</c> is contiguous and libtorch multiplies with
/// it directly. That changes nothing for training (same gradients, same optimizer math; checkpoints are written
/// contiguous, loaded by copying in place) and makes one-row products, the steps of cached decoding, read the
/// matrix as a plain stream: about twice as fast per product on this CPU.
/// </remarks>
internal sealed class Linear : nn.Module, ICastWeightsLayer
{
    [ComponentName(Name = "weight")] Parameter _weight;
    [ComponentName(Name = "bias")] Parameter? _bias;

    /// <summary>A new layer with uninitialised weights (see <see cref="Initialization"/>).</summary>
    public Linear(long inputSize, long outputSize, bool hasBias = true) : base("linear")
    {
        using (var storage = empty(inputSize, outputSize)) _weight = new Parameter(storage.t()); // [out, in], column-major
        _bias = hasBias ? new Parameter(zeros(outputSize)) : null;
        RegisterComponents();
    }

    /// <summary>A layer over existing parameters (e.g. an LM head tied to the word embeddings).</summary>
    public Linear(Parameter weight, Parameter? bias) : base("linear")
    {
        _weight = weight;
        _bias = bias;
        RegisterComponents();
    }

#pragma warning disable IDE1006 // names are Hugging Face checkpoint keys
    /// <summary>The weight <c>[out, in]</c>; setting it re-registers it.</summary>
    public Parameter weight
    {
        get => _weight;
        set
        {
            _weight = value;
            ConditionallyRegisterParameter("weight", value);
        }
    }

    /// <summary>The bias <c>[out]</c>, or null; setting it re-registers it.</summary>
    public Parameter? bias
    {
        get => _bias;
        set
        {
            _bias = value;
            ConditionallyRegisterParameter("bias", value);
        }
    }
#pragma warning restore IDE1006

    /// <inheritdoc />
    public CastWeights Cast { get; } = new();

    /// <inheritdoc />
    public (Tensor Weight, Tensor? Bias) LinearWeights() => (_weight, _bias);

    public Tensor forward(Tensor x) => Autocast.Dtype is { } dt
        ? Cast.Linear(x, dt, LinearWeights)
        : Kernels.Float32Linear.Apply(x, _weight, _bias);
}

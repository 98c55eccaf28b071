using TorchSharp;
using Tandem.Native;
using static TorchSharp.torch;

namespace Tandem.Modeling;

/// <summary>The activation functions named by transformers' <c>hidden_act</c> / <c>activation_function</c> (its <c>ACT2FN</c>).</summary>
internal static class Activations
{
    /// <summary>Every name <see cref="Apply"/> accepts.</summary>
    public static readonly string[] Names =
    [
        "gelu", "gelu_python", "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "gelu_accurate", "quick_gelu",
        "relu", "relu6", "leaky_relu", "silu", "swish", "mish", "tanh", "sigmoid", "linear",
    ];

    /// <summary>Applies the activation named <paramref name="name"/> (validated by the config).</summary>
    public static Tensor Apply(string name, Tensor x) => name switch
    {
        "gelu" or "gelu_python" => nn.functional.gelu(x),                                      // exact, erf-based
        // tanh approximation 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), which gelu_fast and gelu_accurate also compute
        "gelu_new" or "gelu_pytorch_tanh" or "gelu_fast" or "gelu_accurate" => nn.functional.gelu(x, TorchSharp.Modules.GELU.Approximate.tanh),
        "quick_gelu" => QuickGelu(x),
        "relu" => nn.functional.relu(x),
        "relu6" => nn.functional.relu6(x),
        "leaky_relu" => x.leaky_relu(LeakySlope),
        "silu" or "swish" => nn.functional.silu(x),
        "mish" => Mish(x),
        "tanh" => x.tanh(),
        "sigmoid" => x.sigmoid(),
        "linear" => x.alias(),
        _ => throw new TandemException($"unknown activation \"{name}\" (supported: {string.Join(", ", Names)})"),
    };

    static readonly Scalar LeakySlope = 0.01.ToScalar();                                        // torch's default slope

    /// <summary><c>x * sigmoid(1.702 x)</c>.</summary>
    static Tensor QuickGelu(Tensor x)
    {
        using var scaled = x.Mul(1.702);
        using var gate = scaled.sigmoid();
        return x.mul(gate);
    }

    /// <summary><c>x * tanh(softplus(x))</c>, softplus as torch's (beta 1, threshold 20: above it, x itself) in the
    /// tensor's own type (TorchSharp's own <c>mish</c> makes its softplus scalars on the spot, see <see cref="Scalars"/>).</summary>
    static Tensor Mish(Tensor x)
    {
        using var scope = NewDisposeScope();
        var softplus = where(x.Gt(20), x, x.exp().log1p());
        return x.mul(softplus.tanh()).MoveToOuterDisposeScope();
    }
}

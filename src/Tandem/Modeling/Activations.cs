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
        "quick_gelu" => x * (x * 1.702).sigmoid(),
        "relu" => nn.functional.relu(x),
        "relu6" => nn.functional.relu6(x),
        "leaky_relu" => nn.functional.leaky_relu(x, 0.01),
        "silu" or "swish" => nn.functional.silu(x),
        "mish" => nn.functional.mish(x),
        "tanh" => x.tanh(),
        "sigmoid" => x.sigmoid(),
        "linear" => x.alias(),
        _ => throw new TandemException($"unknown activation \"{name}\" (supported: {string.Join(", ", Names)})"),
    };
}

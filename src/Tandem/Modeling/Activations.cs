using static TorchSharp.torch;

namespace Tandem.Modeling;

/// <summary>The activation functions named by transformers' <c>hidden_act</c>.</summary>
internal static class Activations
{
    /// <summary>Applies the activation named <paramref name="name"/> (validated by the config).</summary>
    public static Tensor Apply(string name, Tensor x) => name switch
    {
        "gelu" => nn.functional.gelu(x),                                          // exact, erf-based
        "gelu_new" or "gelu_pytorch_tanh" or "gelu_fast" => nn.functional.gelu(x, TorchSharp.Modules.GELU.Approximate.tanh),
        "relu" => nn.functional.relu(x),
        "silu" or "swish" => nn.functional.silu(x),
        "tanh" => x.tanh(),
        _ => throw new TandemException($"unknown hidden_act \"{name}\""),
    };
}

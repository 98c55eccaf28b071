using static TorchSharp.torch;

namespace Tandem.Embeddings;

/// <summary>What runs an encoder's forward pass for embeddings.</summary>
public enum EncoderRuntime
{
    /// <summary>libtorch, operation by operation, in float32 or under a bf16 <see cref="Modeling.Autocast"/> scope.</summary>
    LibTorch,

    /// <summary>ONNX Runtime on the graph <see cref="Models.Bert.BertOnnx"/> exports, float32 (<see cref="OnnxEncoder"/>).</summary>
    Onnx,
}

/// <summary>The names <c>tandem embed --runtime</c> takes and the choice <c>auto</c> makes.</summary>
public static class EncoderRuntimes
{
    /// <summary>Every accepted name: <c>auto</c>, <c>onnx</c>, <c>libtorch</c>.</summary>
    public static readonly string[] Names = ["auto", "onnx", "libtorch"];

    /// <summary>
    /// The runtime <paramref name="name"/> names; <c>auto</c> picks ONNX Runtime for float32 products
    /// (<paramref name="products"/> null or float32) and libtorch for bf16 ones. On this project's 2-core AMD CPU, ONNX
    /// Runtime's float32 kernels ran the MiniLM-shaped encoder 2-3x faster than libtorch's float32 pass at 1 x 32
    /// and at 32 x 128 tokens, and faster than libtorch's bf16 pass for one sentence; libtorch's bf16 products are
    /// the fastest for large batches (<c>tandem bench</c>: <c>encoder_b1x32_onnx_ms</c>, <c>encoder_b32x128_onnx_seq_per_s</c>).
    /// </summary>
    public static EncoderRuntime Choose(string name, ScalarType? products) => name switch
    {
        "auto" => products is null or ScalarType.Float32 ? EncoderRuntime.Onnx : EncoderRuntime.LibTorch,
        "onnx" => EncoderRuntime.Onnx,
        "libtorch" => EncoderRuntime.LibTorch,
        _ => throw new TandemException($"unknown encoder runtime \"{name}\" (one of: {string.Join(", ", Names)})"),
    };
}

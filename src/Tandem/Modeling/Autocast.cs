using static TorchSharp.torch;

namespace Tandem.Modeling;

/// <summary>
/// Mixed precision by hand (TorchSharp has no CPU autocast): inside an <see cref="Enter"/> scope every
/// <see cref="Linear"/> multiplies in the given dtype (bf16 on CPUs with avx512_bf16), while parameters, the
/// residual stream, LayerNorm, softmax statistics and the loss stay in float32. Gradients reach the float32
/// parameters through the casts, so the optimiser keeps full-precision master weights.
/// </summary>
public static class Autocast
{
    [ThreadStatic] static ScalarType? _dtype;

    /// <summary>The matmul dtype in force on this thread, or null (float32 everywhere).</summary>
    public static ScalarType? Dtype => _dtype;

    /// <summary>Multiplies in <paramref name="dtype"/> until the returned scope is disposed (null: no change).</summary>
    public static IDisposable Enter(ScalarType? dtype)
    {
        var previous = _dtype;
        _dtype = dtype;
        return new Scope(previous);
    }

    /// <summary>Parses a precision name: fp32/float32 (null) or bf16/bfloat16.</summary>
    public static ScalarType? Parse(string precision) => precision.ToLowerInvariant() switch
    {
        "fp32" or "float32" => null,
        "bf16" or "bfloat16" => ScalarType.BFloat16,
        _ => throw new TandemException($"precision must be fp32 or bf16, got '{precision}'"),
    };

    /// <summary>
    /// The precision a user's word names for inference on <paramref name="device"/>: <c>auto</c> is bf16 on a CPU
    /// with bf16 instructions (<c>avx512_bf16</c> or <c>amx_bf16</c>, where libtorch's bf16 products run 4-5x as
    /// fast as float32 ones) and float32 elsewhere; otherwise as <see cref="Parse"/>.
    /// </summary>
    public static ScalarType? ForInference(string precision, Device device) =>
        device.type == TorchSharp.DeviceType.CPU ? ForCpuInference(precision)
            : precision.Equals("auto", StringComparison.OrdinalIgnoreCase) ? null : Parse(precision);

    /// <summary><see cref="ForInference"/> on the CPU, without touching libtorch (an ONNX Runtime path needs none).</summary>
    public static ScalarType? ForCpuInference(string precision) =>
        precision.Equals("auto", StringComparison.OrdinalIgnoreCase) ? (CpuHasBf16.Value ? ScalarType.BFloat16 : null) : Parse(precision);

    /// <summary>The words <see cref="ForInference"/> takes.</summary>
    public static IReadOnlyList<string> InferencePrecisions { get; } = ["auto", "bf16", "fp32"];

    /// <summary>Whether this CPU has bf16 dot-product instructions (Linux' <c>/proc/cpuinfo</c> flags).</summary>
    public static readonly Lazy<bool> CpuHasBf16 = new(() =>
    {
        try
        {
            if (!File.Exists("/proc/cpuinfo")) return false;
            var flags = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? "";
            return flags.Split(' ', ':', '\t').Any(f => f is "avx512_bf16" or "amx_bf16");
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    });

    /// <summary>
    /// <paramref name="x"/> converted once for several products that read it (a layer's query, key and value) while a
    /// scope is active and no gradient is recorded: each <see cref="Linear"/> would convert it again, to the same
    /// values. With gradients recorded, or outside a scope, <paramref name="x"/> itself: in training each product
    /// converts its own input, so their gradients add up in float32, as under transformers' autocast.
    /// </summary>
    internal static Tensor ProductInput(Tensor x) =>
        _dtype is { } dt && x.dtype != dt && x.is_floating_point() && !is_grad_enabled() ? x.to(dt) : x;

    /// <summary><paramref name="x"/> in float32 (for LayerNorm and other reductions), unchanged when it already is.</summary>
    internal static Tensor Float(Tensor x) => x.dtype == ScalarType.Float32 ? x : x.to(ScalarType.Float32);

    sealed class Scope(ScalarType? previous) : IDisposable
    {
        public void Dispose() => _dtype = previous;
    }
}

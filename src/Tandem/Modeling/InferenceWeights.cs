using TorchSharp;
using Tandem.Kernels;
using static TorchSharp.torch;

namespace Tandem.Modeling;

/// <summary>
/// Weights converted once to the matmul dtype of an <see cref="Autocast"/> scope and kept while a decoding session
/// holds them. Without it every product under bf16 converts its float32 weight again, and a cached decoding step,
/// one row per sequence, costs less than that conversion; with it the step reads half the bytes of float32: one to
/// four rows through <see cref="Tandem.Kernels.Bf16Matvec"/>, more through oneDNN's bf16 kernels, 1.4-3.5x faster
/// than MKL's float32 path on this CPU from two rows up (<c>bench/Tandem.Bench -- matvec</c>). The copies ignore
/// later changes to the weights: hold them only while the weights stay put (generation), and only products without
/// gradients read them. Every product that reads the copies should run under a hold of its own (the sessions do):
/// the last release frees them.
/// </summary>
public static class InferenceWeights
{
    /// <summary>Keeps every <see cref="Linear"/> and <see cref="Conv1D"/> weight of <paramref name="model"/> that a
    /// product uses converted to <paramref name="dtype"/> until the returned scope is disposed; holds nest and may
    /// overlap (a count per layer). A null dtype, or a model that is not a module, holds nothing.</summary>
    public static IDisposable Hold(object model, ScalarType? dtype)
    {
        if (dtype is not { } dt || model is not nn.Module module) return new Held([]);
        var layers = module.modules().OfType<ICastWeightsLayer>().Distinct().ToList();
        foreach (var layer in layers) layer.Cast.Hold(dt);
        return new Held(layers);
    }

    sealed class Held(List<ICastWeightsLayer> layers) : IDisposable
    {
        bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var layer in layers) layer.Cast.Release();
        }
    }
}

/// <summary>A layer whose weights <see cref="InferenceWeights"/> can hold converted.</summary>
internal interface ICastWeightsLayer
{
    /// <summary>The layer's converted copies.</summary>
    CastWeights Cast { get; }
}

/// <summary>
/// One layer's weight and bias converted to a matmul dtype while held (a count of holds). The copies are made at the
/// first product that asks for them, so layers a session never runs (a pooler, an LM head read through its
/// transposed copy) cost nothing.
/// </summary>
internal sealed class CastWeights
{
    readonly object _lock = new();
    int _holds;
    ScalarType _dtype;
    Tensor? _weight, _bias;

    /// <summary>Adds a hold in <paramref name="dtype"/> (a later hold in another dtype shares the first one's,
    /// which <see cref="For"/> then does not hand out).</summary>
    public void Hold(ScalarType dtype)
    {
        lock (_lock)
            if (_holds++ == 0) _dtype = dtype;
    }

    /// <summary>Whether the copies exist (held, and a product has asked for them).</summary>
    public bool Made => _weight is not null;

    /// <summary>Removes a hold; the last frees the copies.</summary>
    public void Release()
    {
        lock (_lock)
        {
            if (_holds == 0 || --_holds > 0) return;
            _weight?.Dispose();
            _bias?.Dispose();
            _weight = _bias = null;
        }
    }

    /// <summary>
    /// <c>linear(x, W, b)</c> in <paramref name="dtype"/> for a layer whose weight and bias, as it passes them to
    /// <c>linear</c> (<c>[out, in]</c>), are <paramref name="source"/>: through the held copies when there are any
    /// (a one- to four-row bf16 product by <see cref="Bf16Matvec"/>, which reads the column-major copy as the
    /// <c>[in, out]</c> matrix it is), else through copies converted for this product alone (training).
    /// </summary>
    public Tensor Linear(Tensor x, ScalarType dtype, Func<(Tensor Weight, Tensor? Bias)> source)
    {
        using var scope = NewDisposeScope();
        if (For(dtype, source) is { } held)
            return (Bf16Matvec.TryMultiply(x, held.Weight.t(), held.Bias)
                ?? nn.functional.linear(x.to(dtype), held.Weight, held.Bias)).MoveToOuterDisposeScope();
        var (w, b) = source();
        return nn.functional.linear(x.to(dtype), w.to(dtype), b?.to(dtype)).MoveToOuterDisposeScope();
    }

    /// <summary>The held copies of <paramref name="source"/> (the weight as the layer passes it to <c>linear</c>,
    /// and the bias) in <paramref name="dtype"/>, made on first use; null when not held in that dtype or while
    /// gradients are recorded.</summary>
    public (Tensor Weight, Tensor? Bias)? For(ScalarType dtype, Func<(Tensor Weight, Tensor? Bias)> source)
    {
        if (_holds == 0 || _dtype != dtype || is_grad_enabled()) return null;
        lock (_lock)
        {
            if (_holds == 0) return null;
            if (_weight is null)
            {
                using var scope = NewDisposeScope();
                var (w, b) = source();
                // to() keeps the strides of a dense tensor: a column-major weight stays column-major.
                _weight = w.detach().to(dtype).DetachFromDisposeScope();
                _bias = b?.detach().to(dtype).DetachFromDisposeScope();
            }
            return (_weight, _bias);
        }
    }
}

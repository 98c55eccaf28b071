using TorchSharp;
using Tandem.Kernels;
using Tandem.Native;
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
    /// overlap (a count per layer). A null dtype, or a model that is not a module, holds nothing. The copies of the
    /// layers this hold is the first for get their places in one block (<see cref="Native.TensorBlock"/>): on huge
    /// pages, not each small matrix on fresh 4 KiB pages of its own.</summary>
    public static IDisposable Hold(object model, ScalarType? dtype)
    {
        if (dtype is not { } dt || model is not nn.Module module) return new Held([]);
        var layers = module.modules().OfType<ICastWeightsLayer>().Distinct().ToList();
        var places = Places(layers.Where(l => !l.Cast.IsHeld).ToList(), dt);
        foreach (var layer in layers) layer.Cast.Hold(dt, places.GetValueOrDefault(layer));
        return new Held(layers);
    }

    /// <summary>Uninitialised places for the converted weight and bias of each layer, carved from one block.</summary>
    static Dictionary<ICastWeightsLayer, (Tensor? Weight, Tensor? Bias)> Places(List<ICastWeightsLayer> layers, ScalarType dtype)
    {
        var places = new Dictionary<ICastWeightsLayer, (Tensor?, Tensor?)>();
        if (layers.Count == 0) return places;
        var specs = new List<(long[] Shape, ScalarType Dtype, TensorBlock.Layout Layout)>();
        Device? device = null;
        using (NewDisposeScope())
        {
            foreach (var layer in layers)
            {
                var (w, b) = layer.LinearWeights();
                device ??= w.device;
                bool here = w.device_type == device.type && w.device_index == device.index;
                specs.Add((w.shape, dtype, here ? TensorBlock.LayoutOf(w) : TensorBlock.Layout.Other));
                specs.Add((b?.shape ?? [0], dtype, b is not null && here ? TensorBlock.LayoutOf(b) : TensorBlock.Layout.Other));
            }
        }
        var views = TensorBlock.Carve(specs, device!);
        for (int i = 0; i < layers.Count; i++) places[layers[i]] = (views[2 * i], views[2 * i + 1]);
        return places;
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

    /// <summary>The weight as the layer passes it to <c>linear</c> (<c>[out, in]</c>, a view the caller disposes) and
    /// the bias.</summary>
    (Tensor Weight, Tensor? Bias) LinearWeights();
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
    Tensor? _weightPlace, _biasPlace;

    /// <summary>Adds a hold in <paramref name="dtype"/> (a later hold in another dtype shares the first one's,
    /// which <see cref="For"/> then does not hand out). <paramref name="places"/>: uninitialised tensors in that dtype
    /// where the first hold's copies go when their shape and layout match (taken over, disposed when unused).</summary>
    public void Hold(ScalarType dtype, (Tensor? Weight, Tensor? Bias) places = default)
    {
        lock (_lock)
        {
            if (_holds++ == 0)
            {
                _dtype = dtype;
                (_weightPlace, _biasPlace) = places;
                return;
            }
        }
        places.Weight?.Dispose();
        places.Bias?.Dispose();
    }

    /// <summary>Whether any hold is in force.</summary>
    public bool IsHeld => _holds > 0;

    /// <summary>Whether the copies exist (held, and a product has asked for them).</summary>
    public bool Made => _weight is not null;

    /// <summary>Removes a hold; the last frees the copies.</summary>
    public void Release()
    {
        lock (_lock)
        {
            if (_holds == 0 || --_holds > 0) return;
            foreach (var t in new[] { _weight, _bias, _weightPlace, _biasPlace }) t?.Dispose();
            _weight = _bias = _weightPlace = _biasPlace = null;
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
                _weight = Converted(w, ref _weightPlace);
                _bias = b is null ? null : Converted(b, ref _biasPlace);
            }
            return (_weight, _bias);
        }
    }

    /// <summary><paramref name="source"/> in the held dtype: copied into <paramref name="place"/> when it has the same
    /// shape and strides (the place is then used up), else converted into fresh memory (<c>to()</c> keeps the strides
    /// of a dense tensor: a column-major weight stays column-major). Not in any dispose scope.</summary>
    Tensor Converted(Tensor source, ref Tensor? place)
    {
        if (place is { } p && p.shape.SequenceEqual(source.shape) && p.stride().SequenceEqual(source.stride()))
        {
            place = null;
            p.copy_(source);
            return p;
        }
        return source.detach().to(_dtype).DetachFromDisposeScope();
    }
}

using static TorchSharp.torch;

namespace Tandem.Modeling;

/// <summary>
/// The key/value cache of an incremental decoder: per layer, self-attention keys and values that grow by one
/// position per step, and cross-attention keys and values computed once from the encoder output. It is the one
/// owner of these tensors: they are detached from every dispose scope and freed by <see cref="Dispose"/> or when
/// replaced.
/// </summary>
public sealed class KeyValueCache : IDisposable
{
    readonly Tensor?[] _selfKeys, _selfValues, _crossKeys, _crossValues;

    /// <summary>An empty cache for a decoder of <paramref name="layers"/> layers.</summary>
    public KeyValueCache(int layers)
    {
        _selfKeys = new Tensor?[layers];
        _selfValues = new Tensor?[layers];
        _crossKeys = new Tensor?[layers];
        _crossValues = new Tensor?[layers];
    }

    /// <summary>Number of positions already cached in self-attention.</summary>
    public long PastLength => _selfKeys[0]?.size(2) ?? 0;

    internal (Tensor Key, Tensor Value)? Self(int layer) =>
        _selfKeys[layer] is { } k ? (k, _selfValues[layer]!) : null;

    internal (Tensor Key, Tensor Value)? Cross(int layer) =>
        _crossKeys[layer] is { } k ? (k, _crossValues[layer]!) : null;

    internal void SetSelf(int layer, Tensor key, Tensor value)
    {
        Replace(ref _selfKeys[layer], key);
        Replace(ref _selfValues[layer], value);
    }

    internal void SetCross(int layer, Tensor key, Tensor value)
    {
        Replace(ref _crossKeys[layer], key);
        Replace(ref _crossValues[layer], value);
    }

    /// <summary>Appends the new self-attention <paramref name="key"/> and <paramref name="value"/>
    /// <c>[batch, heads, len, headDim]</c> of <paramref name="layer"/> to the cached ones and returns the whole
    /// <c>[batch, heads, past + len, headDim]</c> pair; a null cache returns the new pair unchanged.</summary>
    internal static (Tensor Key, Tensor Value) AppendSelf(KeyValueCache? cache, int layer, Tensor key, Tensor value)
    {
        if (cache is null) return (key, value);
        (key, value) = (Kept(key), Kept(value));
        if (cache.Self(layer) is { } past)
        {
            key = cat([past.Key, key], 2);                                                       // [batch, heads, past + len, headDim]
            value = cat([past.Value, value], 2);
        }
        cache.SetSelf(layer, key, value);
        return (key, value);
    }

    /// <summary>The cross-attention keys and values of <paramref name="layer"/>: cached ones, else
    /// <paramref name="compute"/> applied to <paramref name="encoderStates"/> (and cached when there is a cache).</summary>
    /// <exception cref="TandemException">Neither a cached pair nor encoder states.</exception>
    internal static (Tensor Key, Tensor Value) Cross(KeyValueCache? cache, int layer, Tensor? encoderStates,
        Func<Tensor, (Tensor Key, Tensor Value)> compute)
    {
        if (cache?.Cross(layer) is { } cached) return cached;
        if (encoderStates is null)
            throw new TandemException("this decoder has cross-attention: encoder hidden states are required");
        var kv = compute(encoderStates);
        if (cache is null) return kv;
        kv = (Kept(kv.Key), Kept(kv.Value));
        cache.SetCross(layer, kv.Key, kv.Value);
        return kv;
    }

    /// <summary>
    /// A bf16 (or float16) key or value as the cache keeps it without gradients on the CPU: widened to float32, exactly
    /// (they are the outputs of reduced-precision products), so that a decoding step attends in float32. libtorch's
    /// fused attention of one bf16 query runs its bf16 path through MKL's bf16 matrix-vector products, 4-6x slower
    /// than its float32 one here (MiniLM-shaped, 8 rows, 448 cached positions: 1.42 against 0.28 ms a layer; 64
    /// positions: 0.41 against 0.07 ms); widening the new position at each step costs less than converting the
    /// whole cache, and the float32 attention is at least as accurate. Gradients, other devices and float32 keep
    /// the dtype they come in.
    /// </summary>
    static Tensor Kept(Tensor t) =>
        t.dtype is ScalarType.BFloat16 or ScalarType.Float16 && t.device_type == TorchSharp.DeviceType.CPU
            && !(is_grad_enabled() && t.requires_grad) ? t.to(ScalarType.Float32) : t;

    /// <summary>Keeps rows <paramref name="rowIndices"/> (int64, may repeat) of every cached tensor, in that order:
    /// beam search reorders beams with it and expands each input to its beams.</summary>
    public void Reorder(Tensor rowIndices)
    {
        foreach (var arr in new[] { _selfKeys, _selfValues, _crossKeys, _crossValues })
            for (int i = 0; i < arr.Length; i++)
                if (arr[i] is { } t)
                {
                    var idx = rowIndices.device == t.device ? rowIndices : rowIndices.to(t.device);
                    Replace(ref arr[i], t.index_select(0, idx));
                    if (!ReferenceEquals(idx, rowIndices)) idx.Dispose();
                }
    }

    static void Replace(ref Tensor? slot, Tensor value)
    {
        if (ReferenceEquals(slot, value)) return;
        value.DetachFromDisposeScope();
        slot?.Dispose();
        slot = value;
    }

    /// <summary>Frees every cached tensor.</summary>
    public void Dispose()
    {
        foreach (var arr in new[] { _selfKeys, _selfValues, _crossKeys, _crossValues })
            for (int i = 0; i < arr.Length; i++)
            {
                arr[i]?.Dispose();
                arr[i] = null;
            }
    }
}

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
    public long PastLength => _selfKeys[0]?.shape[2] ?? 0;

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

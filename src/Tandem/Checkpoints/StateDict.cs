using static TorchSharp.torch;

namespace Tandem.Checkpoints;

/// <summary>Tensors read from a checkpoint, by key. It owns them and frees them on <see cref="Dispose"/>.</summary>
public sealed class StateDict : IDisposable
{
    /// <summary>The tensors by checkpoint key.</summary>
    public Dictionary<string, Tensor> Tensors { get; }

    /// <summary>Takes ownership of <paramref name="tensors"/>.</summary>
    public StateDict(Dictionary<string, Tensor> tensors)
    {
        Tensors = tensors;
        foreach (var t in tensors.Values) t.DetachFromDisposeScope();
    }

    /// <summary>Reads the weights of a checkpoint folder to load into a model: safetensors files are memory-mapped
    /// (<see cref="SafeTensors.Map"/>), so dispose before the folder's weights are rewritten in place.</summary>
    public static StateDict FromFolder(string dir) => new(StateDictFiles.Load(dir, map: true));

    /// <summary>Frees every tensor.</summary>
    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
        Tensors.Clear();
    }
}

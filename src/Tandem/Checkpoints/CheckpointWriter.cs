using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Tandem.Checkpoints;

/// <summary>Writes a module's weights as transformers does: keys sorted, each tied tensor stored once (under its
/// first key in sorted order, e.g. the word embeddings rather than the LM head that shares them).</summary>
public static class CheckpointWriter
{
    /// <summary>The tensors to write: the state dict less the second and later keys of tied tensors.</summary>
    public static List<KeyValuePair<string, Tensor>> UniqueTensors(nn.Module model)
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);   // tied keys share one Parameter object
        var result = new List<KeyValuePair<string, Tensor>>();
        foreach (var (key, t) in model.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal))
            if (seen.Add(t)) result.Add(new(key, t));
        return result;
    }

    /// <summary>Writes <c>model.safetensors</c> (or <c>pytorch_model.bin</c> when <paramref name="safeSerialization"/>
    /// is false) into <paramref name="dir"/>, through a temporary file renamed into place.</summary>
    public static void Save(nn.Module model, string dir, bool safeSerialization = true)
    {
        Directory.CreateDirectory(dir);
        var tensors = UniqueTensors(model);
        var name = safeSerialization ? StateDictFiles.SafeTensorsName : StateDictFiles.PytorchName;
        var final = Path.Combine(dir, name);
        var tmp = final + ".tmp";
        if (safeSerialization) SafeTensors.Save(tmp, tensors);
        else
        {
            using var scope = torch.NewDisposeScope();                                          // the pickler needs contiguous data
            PyTorchPickler.PickleStateDict(tmp, tensors.ToDictionary(kv => kv.Key, kv => kv.Value.contiguous()));
        }
        File.Move(tmp, final, overwrite: true);
    }
}

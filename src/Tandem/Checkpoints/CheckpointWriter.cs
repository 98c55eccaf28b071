using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Tandem.Checkpoints;

/// <summary>Writes a module's weights as transformers does: keys sorted, each tied tensor stored once, under its
/// first key in sorted order that is not one of the model's tied keys (transformers' <c>_tied_weights_keys</c>:
/// GPT-2 keeps <c>transformer.wte.weight</c> and drops <c>lm_head.weight</c>).</summary>
public static class CheckpointWriter
{
    /// <summary>The tensors to write: the state dict less the second and later keys of tied tensors, where keys
    /// ending with one of <paramref name="tiedKeys"/> come after every other key of the same tensor.</summary>
    public static List<KeyValuePair<string, Tensor>> UniqueTensors(nn.Module model, IReadOnlyCollection<string>? tiedKeys = null)
    {
        bool IsTied(string key) => tiedKeys?.Any(t => key == t || key.EndsWith("." + t, StringComparison.Ordinal)) == true;
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);   // tied keys share one Parameter object
        var kept = new List<KeyValuePair<string, Tensor>>();
        foreach (var (key, t) in model.state_dict().OrderBy(kv => IsTied(kv.Key)).ThenBy(kv => kv.Key, StringComparer.Ordinal))
            if (seen.Add(t)) kept.Add(new(key, t));
        return [.. kept.OrderBy(kv => kv.Key, StringComparer.Ordinal)];
    }

    /// <summary>Writes <c>model.safetensors</c> (or <c>pytorch_model.bin</c> when <paramref name="safeSerialization"/>
    /// is false) into <paramref name="dir"/>, through a temporary file renamed into place; <paramref name="tiedKeys"/>
    /// as in <see cref="UniqueTensors"/>.</summary>
    public static void Save(nn.Module model, string dir, bool safeSerialization = true, IReadOnlyCollection<string>? tiedKeys = null)
    {
        Directory.CreateDirectory(dir);
        var tensors = UniqueTensors(model, tiedKeys);
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

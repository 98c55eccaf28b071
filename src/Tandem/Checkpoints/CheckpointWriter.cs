using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Tandem.Checkpoints;

/// <summary>Writes a module's weights as transformers does: keys sorted, each tied tensor stored once under the key
/// transformers keeps (see <see cref="UniqueTensors"/>).</summary>
public static class CheckpointWriter
{
    /// <summary>Output-layer keys that transformers ties to another tensor and drops from <c>model.safetensors</c>
    /// (<c>cls.predictions.decoder.*</c>, <c>lm_head.decoder.*</c>, GPT-2's <c>lm_head.weight</c>).</summary>
    static readonly string[] OutputAliasSuffixes = [".decoder.weight", ".decoder.bias", "lm_head.weight"];

    /// <summary>The tensors to write: the state dict with each tied tensor once. Among the keys of one tensor the one
    /// kept is, as in transformers, not an LM head's output layer (the word embeddings and the head's own
    /// <c>bias</c> stay), and under <c>tie_encoder_decoder</c> the decoder's rather than the encoder's; then the
    /// first in sorted order.</summary>
    public static List<KeyValuePair<string, Tensor>> UniqueTensors(nn.Module model)
    {
        var groups = new Dictionary<Tensor, string>(ReferenceEqualityComparer.Instance);   // tied keys share one Parameter object
        var state = model.state_dict();
        foreach (var (key, t) in state.OrderBy(kv => Preference(kv.Key)).ThenBy(kv => kv.Key, StringComparer.Ordinal))
            groups.TryAdd(t, key);
        return groups.Select(g => new KeyValuePair<string, Tensor>(g.Value, g.Key))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
    }

    static int Preference(string key) =>
        (OutputAliasSuffixes.Any(s => key.EndsWith(s, StringComparison.Ordinal)) ? 2 : 0) +
        (key.StartsWith("encoder.", StringComparison.Ordinal) ? 1 : 0);

    /// <summary>Writes <c>model.safetensors</c> (each tied tensor once, see <see cref="UniqueTensors"/>) or, when
    /// <paramref name="safeSerialization"/> is false, <c>pytorch_model.bin</c> (every key, tied keys sharing one
    /// storage) into <paramref name="dir"/>, through a temporary file renamed into place.</summary>
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
            // As torch.save in transformers: every key, tied keys pointing at one storage (the pickler writes a
            // tensor object once), so the file has transformers' key list and each tied tensor's data once.
            using var scope = torch.NewDisposeScope();
            var stored = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
            var all = model.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .ToDictionary(kv => kv.Key, kv => stored.TryGetValue(kv.Value, out var c) ? c : stored[kv.Value] = Standalone(kv.Value));
            PyTorchPickler.PickleStateDict(tmp, all);
        }
        File.Move(tmp, final, overwrite: true);
    }

    /// <summary>The pickler writes a tensor's own elements as its storage and records its storage offset, so it needs
    /// contiguous data at offset 0: not a view into a larger block (a loaded model's parameters share one,
    /// <see cref="Native.TensorBlock"/>).</summary>
    static Tensor Standalone(Tensor t)
    {
        var dense = t.contiguous();
        return dense.storage_offset() == 0 ? dense : dense.clone();
    }
}

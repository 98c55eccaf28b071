using System.Collections;
using System.Text.Json.Nodes;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Tandem.Checkpoints;

/// <summary>
/// Finds and reads the weights of a Hugging Face checkpoint folder, in the order transformers looks for them:
/// <c>model.safetensors</c>, <c>model.safetensors.index.json</c> (sharded), <c>pytorch_model.bin</c>,
/// <c>pytorch_model.bin.index.json</c>.
/// </summary>
public static class StateDictFiles
{
    /// <summary>The single-file safetensors name transformers writes.</summary>
    public const string SafeTensorsName = "model.safetensors";

    /// <summary>The PyTorch pickle name transformers writes with <c>safe_serialization=False</c>.</summary>
    public const string PytorchName = "pytorch_model.bin";

    /// <summary>The weights file (or shard index) that <see cref="Load"/> would read, or null when there is none.</summary>
    public static string? Find(string dir)
    {
        foreach (var name in new[] { SafeTensorsName, SafeTensorsName + ".index.json", PytorchName, PytorchName + ".index.json" })
        {
            var p = Path.Combine(dir, name);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>Reads every tensor of the checkpoint in <paramref name="dir"/> (CPU, stored dtype).</summary>
    /// <param name="dir">The checkpoint folder.</param>
    /// <param name="map">Safetensors files as views of a memory mapping (<see cref="SafeTensors.Map"/>: to copy into a
    /// model and dispose at once) instead of tensors of their own.</param>
    /// <exception cref="TandemException">No weights file, or a file that cannot be read.</exception>
    public static Dictionary<string, Tensor> Load(string dir, bool map = false)
    {
        var path = Find(dir) ?? throw new TandemException(
            $"{dir}: no weights found (expected {SafeTensorsName}, {SafeTensorsName}.index.json, {PytorchName} or {PytorchName}.index.json)");
        return LoadFile(path, map);
    }

    /// <summary>Reads one weights file: <c>.safetensors</c>, a PyTorch <c>.bin</c>, or a shard index <c>.index.json</c>;
    /// <paramref name="map"/> as in <see cref="Load"/>.</summary>
    public static Dictionary<string, Tensor> LoadFile(string path, bool map = false)
    {
        if (path.EndsWith(".index.json", StringComparison.Ordinal)) return LoadSharded(path, map);
        if (path.EndsWith(".safetensors", StringComparison.Ordinal)) return map ? SafeTensors.Map(path) : SafeTensors.Load(path);
        return LoadPytorch(path);
    }

    static Dictionary<string, Tensor> LoadSharded(string indexPath, bool mapped)
    {
        JsonNode? index;
        try { index = JsonNode.Parse(File.ReadAllText(indexPath)); }
        catch (Exception e) when (e is System.Text.Json.JsonException)
        {
            throw new TandemException($"{indexPath}: invalid JSON ({e.Message.Split('\n')[0]})", e);
        }
        var map = index?["weight_map"]?.AsObject()
                  ?? throw new TandemException($"{indexPath}: no \"weight_map\" in the shard index");
        var dir = Path.GetDirectoryName(indexPath)!;
        var result = new Dictionary<string, Tensor>();
        foreach (var shard in map.Select(kv => kv.Value!.GetValue<string>()).Distinct())
        {
            var shardPath = Path.Combine(dir, shard);
            if (!File.Exists(shardPath))
                throw new TandemException($"{indexPath}: shard '{shard}' is missing");
            foreach (var (k, v) in LoadFile(shardPath, mapped)) result[k] = v;
        }
        var absent = map.Select(kv => kv.Key).Where(k => !result.ContainsKey(k)).ToList();
        if (absent.Count > 0)
            throw new TandemException($"{indexPath}: the index names tensors its shards lack: {string.Join(", ", absent.Take(10))}");
        return result;
    }

    static Dictionary<string, Tensor> LoadPytorch(string path)
    {
        Hashtable table;
        try { table = PyTorchUnpickler.UnpickleStateDict(path); }
        catch (Exception e) when (e is not TandemException)
        {
            throw new TandemException($"{path}: cannot read PyTorch state dict ({e.GetType().Name}: {e.Message.Split('\n')[0]})", e);
        }
        var result = new Dictionary<string, Tensor>();
        foreach (DictionaryEntry kv in table)
            if (kv.Value is Tensor t) result[(string)kv.Key] = t;
        return result;
    }
}

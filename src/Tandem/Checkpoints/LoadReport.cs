namespace Tandem.Checkpoints;

/// <summary>How a checkpoint mapped onto a model: the lists transformers logs when it loads weights.</summary>
public sealed class LoadReport
{
    /// <summary>Model keys whose value came from the checkpoint.</summary>
    public List<string> Loaded { get; } = [];
    /// <summary>Model keys not present in the checkpoint (transformers' "newly initialized" list; includes keys
    /// tied to a loaded one, which take its value).</summary>
    public List<string> NotFromCheckpoint { get; } = [];
    /// <summary>Model keys left at their random initialisation: not in the checkpoint and not tied to a key that was.</summary>
    public List<string> Missing { get; } = [];
    /// <summary>Checkpoint keys the model has no place for (transformers' "were not used" list).</summary>
    public List<string> Unused { get; } = [];
    /// <summary>Checkpoint keys that are known to be unused on purpose (buffers such as <c>position_ids</c>, heads
    /// a bare encoder does not have); not an error.</summary>
    public List<string> Ignored { get; } = [];
    /// <summary>Keys whose shapes differ, with both shapes.</summary>
    public List<string> ShapeMismatches { get; } = [];

    /// <summary>Appends another report's lists, with <paramref name="prefix"/> before each model key.</summary>
    public void Merge(LoadReport other, string prefix = "")
    {
        Loaded.AddRange(other.Loaded.Select(k => prefix + k));
        NotFromCheckpoint.AddRange(other.NotFromCheckpoint.Select(k => prefix + k));
        Missing.AddRange(other.Missing.Select(k => prefix + k));
        Unused.AddRange(other.Unused);
        Ignored.AddRange(other.Ignored);
        ShapeMismatches.AddRange(other.ShapeMismatches.Select(k => prefix + k));
    }

    /// <summary>Throws one error listing every missing, unexpected and wrong-shaped tensor, if any.</summary>
    public void ThrowIfIncomplete(string source)
    {
        var parts = new List<string>();
        if (ShapeMismatches.Count > 0) parts.Add("wrong shape: " + string.Join("; ", ShapeMismatches));
        if (Missing.Count > 0) parts.Add($"missing {Missing.Count}: " + List(Missing));
        if (Unused.Count > 0) parts.Add($"unexpected {Unused.Count}: " + List(Unused));
        if (parts.Count > 0) throw new TandemException($"{source}: weights do not fit the model: {string.Join(" | ", parts)}");
    }

    static string List(List<string> keys) => string.Join(", ", keys.Take(12)) + (keys.Count > 12 ? $", ... ({keys.Count - 12} more)" : "");

    /// <summary>The report in transformers' words, for logs.</summary>
    public IEnumerable<string> Describe(string model, string source)
    {
        if (Unused.Count > 0)
            yield return $"Some weights of the checkpoint at {source} were not used when initializing {model}: [{string.Join(", ", Unused)}]";
        var heads = Ignored.Where(k => !k.EndsWith("position_ids", StringComparison.Ordinal) && !k.EndsWith("token_type_ids", StringComparison.Ordinal)).ToList();
        if (heads.Count > 0)
            yield return $"Head weights of the checkpoint at {source} were dropped ({model} has no such head): [{string.Join(", ", heads)}]";
        if (Missing.Count > 0)
            yield return $"Some weights of {model} were not initialized from the checkpoint at {source} and are newly initialized: [{string.Join(", ", Missing)}]";
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tandem.Training;

/// <summary><c>metrics.jsonl</c> of a run: one JSON object per line (training lines carry <c>"split": "train"</c>).</summary>
public static class MetricsLog
{
    /// <summary>The file name in the run folder.</summary>
    public const string FileName = "metrics.jsonl";

    /// <summary>Appends one record.</summary>
    public static void Append(string runDir, IReadOnlyDictionary<string, object?> record)
    {
        var line = JsonSerializer.Serialize(record) + "\n";
        File.AppendAllText(Path.Combine(runDir, FileName), line);
    }

    /// <summary>Every record of a run.</summary>
    public static List<JsonObject> Read(string runDir)
    {
        var path = Path.Combine(runDir, FileName);
        if (!File.Exists(path)) throw new TandemException($"{path}: no metrics log (is {runDir} a training run folder?)");
        return File.ReadLines(path).Select(Parse).OfType<JsonObject>().ToList();
    }

    /// <summary>A record, or null for an empty line or one a killed process left half-written.</summary>
    static JsonObject? Parse(string line)
    {
        if (line.Length == 0) return null;
        try { return JsonNode.Parse(line) as JsonObject; }
        catch (JsonException) { return null; }
    }

    /// <summary>Drops records after <paramref name="step"/> (a resumed run rewrites them) and any line a killed
    /// process left half-written.</summary>
    public static void TruncateAfter(string runDir, int step)
    {
        var path = Path.Combine(runDir, FileName);
        if (!File.Exists(path)) return;
        var keep = File.ReadLines(path).Where(l => Parse(l) is { } r && (r["step"]?.GetValue<int>() ?? 0) <= step).ToList();
        AtomicFile.WriteAllText(path, keep.Count == 0 ? "" : string.Join("\n", keep) + "\n");
    }
}

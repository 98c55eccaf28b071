using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tandem.Cli.Infrastructure;

/// <summary>Reads (source, target) pairs from TSV or JSON lines, with the line number of each.</summary>
internal static class PairFile
{
    public static IEnumerable<(int Line, string Source, string Target)> Read(string path)
    {
        if (!File.Exists(path)) throw new TandemException($"{path}: file not found");
        int n = 0;
        foreach (var raw in File.ReadLines(path))
        {
            n++;
            if (raw.Trim().Length == 0) continue;
            if (raw.TrimStart().StartsWith('{'))
            {
                JsonNode? node;
                try { node = JsonNode.Parse(raw); }
                catch (JsonException e) { throw new TandemException($"{path}:{n}: invalid JSON ({e.Message.Split('\n')[0]})"); }
                var s = node?["source"]?.GetValue<string>() ?? throw new TandemException($"{path}:{n}: no \"source\" field");
                var t = node?["target"]?.GetValue<string>() ?? throw new TandemException($"{path}:{n}: no \"target\" field");
                yield return (n, s, t);
            }
            else
            {
                var parts = raw.Split('\t');
                if (parts.Length != 2) throw new TandemException($"{path}:{n}: expected source<TAB>target, found {parts.Length} field(s)");
                yield return (n, parts[0], parts[1]);
            }
        }
    }
}

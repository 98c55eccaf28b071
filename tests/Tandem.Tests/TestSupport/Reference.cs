using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Tests.TestSupport;

/// <summary>The inputs and outputs Hugging Face transformers 4.40.2 computed for a reference checkpoint.</summary>
internal sealed class Reference
{
    public const string Eos = "tiny-bert2bert-eos";
    public const string Plain = "tiny-bert2bert";
    public const string Roberta2Roberta = "tiny-roberta2roberta";
    public const string RobertaShare = "tiny-robertashare";

    static readonly Dictionary<string, Reference> Cache = new();

    public string Name { get; }
    public string Dir { get; }
    public JsonNode Json { get; }

    Reference(string name)
    {
        Name = name;
        Dir = Paths.Reference(name);
        // Python's json writes -Infinity (masked scores) bare; System.Text.Json reads it only as a string
        var text = System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(Path.Combine(Dir, "reference.json")),
            @"(?<=[\[,:]\s*)(-?Infinity|NaN)(?=\s*[\],}])", "\"$1\"");
        Json = JsonNode.Parse(text)!;
    }

    public static Reference Load(string name)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(name, out var r)) Cache[name] = r = new Reference(name);
            return r;
        }
    }

    public JsonNode this[string path] => path.Split('.').Aggregate(Json, (n, k) => n[k] ?? throw new KeyNotFoundException(path));

    /// <summary>A nested JSON list of numbers as a tensor (float32 or int64).</summary>
    public Tensor Tensor(string path, ScalarType dtype = ScalarType.Float32) => ToTensor(this[path], dtype);

    /// <summary>A JSON list of lists of integers (token rows).</summary>
    public long[][] Rows(string path) =>
        this[path].AsArray().Select(row => row!.AsArray().Select(x => x!.GetValue<long>()).ToArray()).ToArray();

    /// <summary>A JSON list of strings.</summary>
    public List<string> Strings(string path) => this[path].AsArray().Select(n => n!.GetValue<string>()).ToList();

    public static Tensor ToTensor(JsonNode node, ScalarType dtype)
    {
        var shape = new List<long>();
        for (var n = node; n is JsonArray a; n = a.Count > 0 ? a[0] : null) shape.Add(a.Count);
        var flat = new List<double>();
        void Walk(JsonNode? n)
        {
            if (n is JsonArray a) foreach (var c in a) Walk(c);
            else flat.Add(Number(n!));
        }
        Walk(node);
        return dtype == ScalarType.Int64
            ? tensor(flat.Select(x => (long)x).ToArray(), shape.ToArray())
            : tensor(flat.Select(x => (float)x).ToArray(), shape.ToArray());
    }

    /// <summary>A number of reference.json, where -Infinity / Infinity / NaN are strings (see the constructor).</summary>
    public static double Number(JsonNode n) => n.GetValueKind() == System.Text.Json.JsonValueKind.String
        ? double.Parse(n.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
        : n.GetValue<double>();

    public static double MaxAbsDiff(Tensor a, Tensor b) => (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).abs().max().item<double>();
}

using System.Text.Json.Nodes;
using Tandem.Tests.TestSupport;
using Tandem.Tokenization;

namespace Tandem.Tests.Tokenization;

/// <summary>Which files of a reference tokenizer folder a test reads.</summary>
public enum Source { TokenizerJson, SlowFiles }

/// <summary>The reference tokenizer folders (../shared/reference/tokenizers) and transformers' results on them, and
/// copies of each folder holding only one file format (tokenizer.json alone, or the slow files alone).</summary>
internal static class ReferenceTokenizers
{
    public const string Gpt2 = "gpt2";
    public const string Roberta = "roberta-small";
    public const string Bert = "bert-base-uncased";

    static readonly Lazy<JsonNode> Json = new(() => JsonNode.Parse(File.ReadAllText(Paths.Shared("reference", "tokenizers", "reference.json")))!);
    static readonly Dictionary<(string, Source), string> Copies = new();
    static readonly string Root = CreateRoot();

    static string CreateRoot()
    {
        var root = Directory.CreateTempSubdirectory("tandem-reftok-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(root, recursive: true);
        return root;
    }

    public static JsonNode Reference => Json.Value;

    public static IReadOnlyList<string> Texts => Reference["texts"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();

    public static string Dir(string name) => Paths.Shared("reference", "tokenizers", name);

    /// <summary>A copy of the folder with only the files of <paramref name="source"/> (plus the JSON configs).</summary>
    public static string Folder(string name, Source source)
    {
        lock (Copies)
        {
            if (Copies.TryGetValue((name, source), out var dir)) return dir;
            dir = Path.Combine(Root, $"{name}-{source}");
            Directory.CreateDirectory(dir);
            string[] keep = source == Source.TokenizerJson
                ? ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]
                : ["vocab.json", "merges.txt", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"];
            foreach (var f in keep.Where(f => File.Exists(Path.Combine(Dir(name), f))))
                File.Copy(Path.Combine(Dir(name), f), Path.Combine(dir, f));
            return Copies[(name, source)] = dir;
        }
    }

    public static ITokenizer Load(string name, Source source) => AutoTokenizer.FromPretrained(Folder(name, source));

    public static int[] Ints(JsonNode? node) => node!.AsArray().Select(x => x!.GetValue<int>()).ToArray();

    public static string[] Strings(JsonNode? node) => node!.AsArray().Select(x => x!.GetValue<string>()).ToArray();
}

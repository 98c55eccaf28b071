using Tandem.Models.Bert;

namespace Tandem.Tests.TestSupport;

/// <summary>Small BERT checkpoint folders for tests: the reference encoder with a made-up 99-token vocabulary.</summary>
internal static class TinyBert
{
    public static readonly string[] Words =
        ["the", "a", "cat", "dog", "sat", "on", "mat", "ran", "big", "small", "red", "blue", "which", "state", "has",
         "largest", "population", "river", "city", "select", "from", "where", "max", "count", "?", ".", ","];

    /// <summary>Writes vocab.txt (99 lines: specials, words, then filler) into <paramref name="dir"/>; with
    /// <paramref name="reversed"/> the words come in reverse order (another tokenizer with the same special ids).</summary>
    public static void WriteVocab(string dir, int size = 99, bool reversed = false)
    {
        var tokens = new List<string> { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
        tokens.AddRange(reversed ? Words.Reverse() : Words);
        for (int i = 0; tokens.Count < size; i++) tokens.Add("##x" + i);
        File.WriteAllLines(Path.Combine(dir, "vocab.txt"), tokens);
    }

    /// <summary>A copy of the reference encoder (config + safetensors) with a vocab, in <paramref name="dir"/>.</summary>
    public static string Encoder(string dir)
    {
        Directory.CreateDirectory(dir);
        var src = Paths.Reference(Reference.Eos, "encoder");
        foreach (var f in new[] { "config.json", "model.safetensors" }) File.Copy(Path.Combine(src, f), Path.Combine(dir, f), true);
        WriteVocab(dir);
        return dir;
    }

    /// <summary>A randomly initialised BERT of the reference encoder's size with <paramref name="positions"/> positions
    /// (the reference has 64; SQL targets of real data sets are longer) and the made-up vocabulary, in <paramref name="dir"/>.</summary>
    public static string RandomEncoder(string dir, int positions)
    {
        Directory.CreateDirectory(dir);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Paths.Reference(Reference.Eos, "encoder"), "config.json")))!;
        json["max_position_embeddings"] = positions;
        File.WriteAllText(Path.Combine(dir, "config.json"), json.ToJsonString());
        TorchSharp.torch.manual_seed(1);
        using var model = new BertModel(BertConfig.Load(dir));
        model.SavePretrained(dir);
        WriteVocab(dir);
        return dir;
    }

    public static BertConfig Config => BertConfig.Load(Paths.Reference(Reference.Eos, "encoder"));
}

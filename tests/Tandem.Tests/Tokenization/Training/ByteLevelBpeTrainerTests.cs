using System.Text.Json.Nodes;
using Tandem.Tests.TestSupport;
using Tandem.Tokenization;
using Tandem.Tokenization.Training;

namespace Tandem.Tests.Tokenization.Training;

public class ByteLevelBpeTrainerTests
{
    static readonly string[] Lines =
    [
        "SELECT state_name FROM state WHERE population = ( SELECT MAX ( population ) FROM state )",
        "SELECT city_name FROM city WHERE state_name = 'texas' ;",
        "The river's mouth   is   wide, isn't it?\tTabs too.",
        "Baden-Württemberg -- café, naïve, 東京, Ελληνικά, emoji 🙂 and 😀",
    ];

    // Texts the trainer never saw: other words, other scripts, control characters, a lone combining mark.
    static readonly string[] Unseen = ["xyzzy QUUX 12345", "Ж ש ก 한국어 \u0301 \u0007", "  leading and trailing  ", "🦀🦀 crab"];

    static string Corpus(TestSupport.TempDir tmp, int repeat = 20)
    {
        var path = tmp["corpus.txt"];
        File.WriteAllLines(path, Enumerable.Repeat(Lines, repeat).SelectMany(x => x));
        return path;
    }

    /// <summary>The trained folder, and two copies: the slow files only (vocab.json, merges.txt, the configs) and
    /// tokenizer.json alone.</summary>
    static (string Full, string Slow, string JsonOnly) Train(TestSupport.TempDir tmp, BpeTrainingOptions options)
    {
        ByteLevelBpeTrainer.TrainAndSave([Corpus(tmp)], options, tmp["tok"]);
        Directory.CreateDirectory(tmp["slow"]);
        Directory.CreateDirectory(tmp["json"]);
        foreach (var f in Directory.GetFiles(tmp["tok"]))
            if (Path.GetFileName(f) != "tokenizer.json") File.Copy(f, Path.Combine(tmp["slow"], Path.GetFileName(f)));
        File.Copy(tmp["tok/tokenizer.json"], tmp["json/tokenizer.json"]);
        return (tmp["tok"], tmp["slow"], tmp["json"]);
    }

    [Theory]
    [InlineData(BpeTemplate.Gpt2)]
    [InlineData(BpeTemplate.Roberta)]
    public void TheTrainedBpeLoadsFromEitherFileFormatWithTheSameIds(BpeTemplate template)
    {
        using var tmp = Paths.TempDir();
        var (full, slow, jsonOnly) = Train(tmp, new BpeTrainingOptions { VocabSize = 400, Template = template });
        var fromJson = AutoTokenizer.FromPretrained(full);
        var fromSlow = AutoTokenizer.FromPretrained(slow);
        var fromJsonAlone = AutoTokenizer.FromPretrained(jsonOnly);
        Assert.Contains("tokenizer.json", fromJson.Kind);
        Assert.Equal("byte-level BPE", fromSlow.Kind);
        Assert.InRange(fromJson.VocabSize, 300, 400);                                 // merges stop when every word is one token
        foreach (var text in Lines.Concat(Unseen))
        {
            var ids = fromSlow.EncodeToIds(text);
            Assert.Equal(ids, fromJson.EncodeToIds(text));
            Assert.Equal(ids, fromJsonAlone.EncodeToIds(text));
        }
        var specials = new BpeTrainingOptions { Template = template }.SpecialTokens;
        Assert.Equal(specials, fromSlow.ConvertIdsToTokens(Enumerable.Range(0, specials.Count).Select(i => (long)i)));
        if (template == BpeTemplate.Roberta)
        {
            var ids = fromSlow.EncodeToIds("SELECT city_name");
            Assert.Equal([0L, 2L], new long[] { ids[0], ids[^1] });                  // <s> … </s>
            Assert.Equal(4, fromJson.MaskTokenId);
            Assert.Equal(1, fromJson.PadTokenId);
            // <mask> takes the space before it, as RoBERTa's does: no stray "Ġ" token before it
            int[] masked = [0, .. fromSlow.EncodeToIds("SELECT", addSpecialTokens: false), 4, 2];
            Assert.Equal(masked, fromSlow.EncodeToIds("SELECT <mask>"));
            Assert.Equal(masked, fromJson.EncodeToIds("SELECT <mask>"));
        }
        else
        {
            Assert.Equal(0, fromSlow.EosTokenId);
            Assert.DoesNotContain(0, fromSlow.EncodeToIds("SELECT city_name"));    // GPT-2 adds nothing
        }
    }

    [Fact]
    public void EveryTextRoundTripsExactlyAndNothingIsUnknown()
    {
        using var tmp = Paths.TempDir();
        var t = ByteLevelBpeTrainer.TrainAndSave([Corpus(tmp)], new BpeTrainingOptions { VocabSize = 500 }, tmp["tok"]);
        foreach (var text in Lines.Concat(Unseen))
        {
            var ids = t.EncodeToIds(text);
            Assert.DoesNotContain(0, ids);                                           // <|endoftext|>, GPT-2's unk
            Assert.All(ids, id => Assert.InRange(id, 1, t.VocabSize - 1));
            Assert.Equal(text, t.Decode(ids.Select(i => (long)i)));
        }
        // merges were learnt: a frequent word is one token, an unseen one takes several
        Assert.Single(t.EncodeToIds("SELECT"));
        Assert.Single(t.EncodeToIds(" population"));
        Assert.True(t.EncodeToIds("xyzzy").Count > 1);
    }

    [Fact]
    public void TheFilesFollowTheReferenceLayout()
    {
        using var tmp = Paths.TempDir();
        var (full, _, _) = Train(tmp, new BpeTrainingOptions { VocabSize = 300 });
        AssertSameSchema(Paths.Reference("tokenizers", "gpt2", "tokenizer.json"), Path.Combine(full, "tokenizer.json"));
        Assert.Equal("#version: 0.2", File.ReadLines(Path.Combine(full, "merges.txt")).First());
        Assert.Equal(300 - 257, File.ReadLines(Path.Combine(full, "merges.txt")).Count() - 1);
        var vocab = JsonNode.Parse(File.ReadAllText(Path.Combine(full, "vocab.json")))!.AsObject();
        Assert.Equal(300, vocab.Count);
        Assert.Equal(1, (int)vocab["!"]!);                                             // the bytes follow the special token
        Assert.True(vocab.ContainsKey("Ġ"));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(full, "tokenizer_config.json")))!;
        Assert.Equal("GPT2Tokenizer", (string)config["tokenizer_class"]!);
        Assert.Equal("<|endoftext|>", (string)config["added_tokens_decoder"]!["0"]!["content"]!);

        using var tmp2 = Paths.TempDir();
        var (roberta, _, _) = Train(tmp2, new BpeTrainingOptions { VocabSize = 300, Template = BpeTemplate.Roberta });
        AssertSameSchema(Paths.Reference("tokenizers", "roberta-small", "tokenizer.json"), Path.Combine(roberta, "tokenizer.json"));
    }

    /// <summary>Same top-level keys in the same order with the same JSON kinds, the same component types, and the
    /// same keys in each component.</summary>
    internal static void AssertSameSchema(string referencePath, string path)
    {
        var reference = JsonNode.Parse(File.ReadAllText(referencePath))!.AsObject();
        var written = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        Assert.Equal(reference.Select(p => p.Key), written.Select(p => p.Key));
        foreach (var (key, value) in reference)
        {
            Assert.Equal(value?.GetValueKind(), written[key]?.GetValueKind());
            if (value is JsonObject part)
            {
                Assert.Equal((string?)part["type"], (string?)written[key]!["type"]);
                Assert.Equal(part.Select(p => p.Key).Order(), written[key]!.AsObject().Select(p => p.Key).Order());
            }
        }
        Assert.Equal(reference["added_tokens"]![0]!.AsObject().Select(p => p.Key), written["added_tokens"]![0]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void BadOptionsAndInputsAreOneClearError()
    {
        using var tmp = Paths.TempDir();
        var corpus = Corpus(tmp, repeat: 1);
        Assert.Contains("too small", Assert.Throws<TandemException>(() => ByteLevelBpeTrainer.TrainAndSave([corpus], new() { VocabSize = 200 }, tmp["a"])).Message);
        Assert.Contains("corpus file not found", Assert.Throws<TandemException>(() => ByteLevelBpeTrainer.TrainAndSave([tmp["none.txt"]], new(), tmp["b"])).Message);
        Assert.False(Directory.Exists(tmp["a"]) || Directory.Exists(tmp["b"]));
    }
}

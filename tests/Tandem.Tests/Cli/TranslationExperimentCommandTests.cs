using System.Text.Json.Nodes;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Cli;

/// <summary><c>tandem experiment multi30k</c> end to end on a tiny subset with seconds-sized budgets: corpus, vocabulary,
/// pre-training, two rows, their BLEU with its signature in the rows and the generated table.</summary>
[Collection(SequentialCollection.Name)]
public sealed class TranslationExperimentCommandTests
{
    [Fact]
    public void WritesRowsWithBleuAndSignatureAndTheTranslationTable()
    {
        using var tmp = Paths.TempDir();
        var r = CliRunner.Run("experiment", "multi30k", "--data", Paths.Shared("data", "multi30k"), "--man-dir", tmp["no-manpages"],
            "--rows", "germanbert,rnd2rnd", "--vocab-size", "400", "--pretrain-minutes", "0.05", "--minutes", "0.05",
            "--max-train", "32", "--max-test", "4", "--max-corpus-lines", "300", "--num-beams", "2",
            "--run-dir", tmp["runs"], "--results-dir", tmp["rows"], "--results", tmp["R.md"], "--cache-dir", MiniLm.Cache);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("German manual pages not found", r.Stdout + r.Stderr);

        var rows = Directory.GetFiles(tmp["rows"], "*.json").Select(f => JsonNode.Parse(File.ReadAllText(f))!).ToList();
        Assert.Equal(["MiniLM2GermanBERT", "RND2RND"], rows.Select(x => x["model"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        foreach (var row in rows)
        {
            Assert.InRange(row["bleu"]!.GetValue<double>(), 0, 100);
            Assert.InRange(row["bleu_lowercase"]!.GetValue<double>(), 0, 100);
            Assert.StartsWith("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:", row["bleu_signature"]!.GetValue<string>());
            Assert.Equal(4, row["examples"]!.GetValue<int>());
            Assert.Equal("Multi30k en-de test_2016_flickr", row["split"]!.GetValue<string>());
            Assert.True(row["steps"]!.GetValue<long>() >= 1);
        }
        var german = rows.Single(x => x["model"]!.GetValue<string>() == "MiniLM2GermanBERT")["training"]!.GetValue<string>();
        Assert.Contains("Multi30k train (32 pairs), 0.05 min fine-tuning budget", german);
        Assert.Contains("pre-trained from scratch on", german);
        Assert.Matches(@"\d+ steps of 4096 tokens in \d+\.\d min", german);

        var md = File.ReadAllText(tmp["R.md"]);
        Assert.Contains("## Translation", md);
        Assert.Contains("| MiniLM2GermanBERT | Multi30k en-de test_2016_flickr | 4 |", md);
        Assert.Equal(5, File.ReadAllLines(Path.Combine(tmp["runs"], "germanbert", "test_predictions.tsv")).Length);
        var corpus = JsonNode.Parse(File.ReadAllText(Path.Combine(tmp["runs"], "corpus", "corpus.json")))!;
        Assert.Equal("multi30k/train.de", corpus["sources"]!.AsArray().Single()!["name"]!.GetValue<string>());
    }

    [Fact]
    public void AnUnknownRowIsOneClearError()
    {
        using var tmp = Paths.TempDir();
        CliRunner.AssertOneLineError(CliRunner.Run("experiment", "multi30k", "--data", Paths.Shared("data", "multi30k"), "--rows", "germanbert,bogus",
            "--run-dir", tmp["runs"], "--results-dir", tmp["rows"], "--results", tmp["R.md"]), "unknown row 'bogus'");
        Assert.False(Directory.Exists(tmp["rows"]));
    }
}

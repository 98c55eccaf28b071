using System.Text.Json.Nodes;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Cli;

/// <summary><c>tandem experiment multi30k</c> end to end on a tiny subset with seconds-sized budgets: corpus, vocabulary,
/// pre-training, two rows, their BLEU with its signature in the rows and the generated table; run again in the same
/// run folder with <c>--reuse</c>, it keeps the pre-training.</summary>
[Collection(SequentialCollection.Name)]
public sealed class TranslationExperimentCommandTests
{
    [Fact]
    public void WritesRowsWithBleuAndSignatureAndTheTranslationTable()
    {
        using var tmp = Paths.TempDir();
        string[] Command(string rows, params string[] more) => ["experiment", "multi30k", "--data", Paths.Shared("data", "multi30k"), "--man-dir", tmp["no-manpages"],
            "--rows", rows, "--vocab-size", "400", "--pretrain-minutes", "0.05", "--pretrain-lr", "0.001", "--pretrain-max-tokens", "1024", "--minutes", "0.05",
            "--max-train", "32", "--max-test", "4", "--max-corpus-lines", "300", "--num-beams", "2",
            "--run-dir", tmp["runs"], "--results-dir", tmp["rows"], "--results", tmp["R.md"], "--cache-dir", MiniLm.Cache, .. more];
        var r = CliRunner.Run(Command("germanbert,rnd2rnd"));
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
        Assert.Matches(@"\d+ steps of 1024 tokens in \d+\.\d min, lr 0.001", german);

        var md = File.ReadAllText(tmp["R.md"]);
        Assert.Contains("## Translation", md);
        Assert.Contains("| MiniLM2GermanBERT | Multi30k en-de test_2016_flickr | 4 |", md);
        Assert.Equal(5, File.ReadAllLines(Path.Combine(tmp["runs"], "germanbert", "test_predictions.tsv")).Length);
        var corpus = JsonNode.Parse(File.ReadAllText(Path.Combine(tmp["runs"], "corpus", "corpus.json")))!;
        Assert.Equal("multi30k/train.de", corpus["sources"]!.AsArray().Single()!["name"]!.GetValue<string>());

        // again in the same run folder: the vocabulary is made afresh, the finished pre-training is kept
        var pretrained = Directory.GetDirectories(Path.Combine(tmp["runs"], "germanbert-pretrain", "checkpoints")).Single();
        var again = CliRunner.Run(Command("germanbert", "--reuse"));
        Assert.True(again.ExitCode == 0, again.Stdout + again.Stderr);
        Assert.Contains($"germanbert-pretrain: reusing {pretrained}", again.Stdout + again.Stderr);
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

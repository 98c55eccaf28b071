using System.Text.Json.Nodes;
using Tandem.Tests.Tasks.Sql.Fitting;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Cli;

/// <summary><c>tandem sql fit</c> on a tiny BERT, a made-up database and a pairs file with one broken query, then
/// <c>tandem ask</c> with the fitted model on that database and on another.</summary>
public class SqlFitCommandTests
{
    [Fact]
    public void FitsListsTheBrokenPairScoresDevAndAskWarnsOnAnotherSchema()
    {
        using var tmp = Paths.TempDir();
        var bert = TinyBert.Encoder(tmp["bert"]);
        var pets = PetsDb.Write(tmp["pets.sqlite"]);
        var other = PetsDb.Write(tmp["other.sqlite"], "weight real");
        File.WriteAllLines(tmp["pairs.csv"],
        [
            "question,sql",
            "which cat is small ?,SELECT name FROM pet WHERE kind = 'cat' ORDER BY age LIMIT 1",
            "count the dog,SELECT count(*) FROM pet WHERE kind = 'dog'",
            "the big dog,SELECT max(age) FROM pet",
            "which red dog,SELECT colour FROM pet",
            "a cat sat,SELECT name FROM pet WHERE kind = 'cat'",
            "the small cat,SELECT min(age) FROM pet WHERE kind = 'cat'",
            "count the cat,SELECT count(*) FROM pet WHERE kind = 'cat'",
        ]);
        var fit = CliRunner.Run("sql", "fit", "--db", pets, "--pairs", tmp["pairs.csv"], "--out", tmp["out"], "--base-model", bert,
            "--max-steps", "2", "--minutes", "2", "--dev-fraction", "0.3");
        Assert.True(fit.ExitCode == 0, fit.Stdout + fit.Stderr);
        Assert.Contains("1 of 7 pairs skipped", fit.Stdout);
        Assert.Contains("line 5: ", fit.Stdout);
        Assert.Contains("no such column: colour", fit.Stdout);
        Assert.Matches(@"dev: exact match [\d.]+ ?%, execution accuracy [\d.]+ ?% \(2 pairs, 2 steps", fit.Stdout);

        var skipped = File.ReadAllLines(tmp["out/skipped.jsonl"]).Select(l => JsonNode.Parse(l)!).Single();
        Assert.Equal((5, "which red dog"), (skipped["line"]!.GetValue<int>(), skipped["question"]!.GetValue<string>()));
        var report = JsonNode.Parse(File.ReadAllText(tmp["out/fit.json"]))!;
        Assert.Equal((7, 1, 4, 2, 2L), (report["pairs"]!.GetValue<int>(), report["skipped"]!.GetValue<int>(), report["train"]!.GetValue<int>(),
            report["dev"]!.GetValue<int>(), report["steps"]!.GetValue<long>()));
        Assert.InRange(report["dev_execution_accuracy"]!.GetValue<double>(), 0, 1);
        Assert.InRange(report["dev_exact_match"]!.GetValue<double>(), 0, 1);
        Assert.Equal(2, File.ReadAllLines(tmp["out/dev_predictions.jsonl"]).Length);
        Assert.Equal(4, File.ReadAllLines(tmp["out/data/train.jsonl"]).Length);
        var train = File.ReadAllText(tmp["out/data/train.jsonl"]);
        Assert.Contains("\"target\":\"select ", train);                                  // targets normalised as GeoQuery's
        Assert.DoesNotContain("SELECT", train);
        Assert.DoesNotContain("colour", train + File.ReadAllText(tmp["out/dev_predictions.jsonl"]));

        var model = tmp["out/model"];
        var schema = JsonNode.Parse(File.ReadAllText(Path.Combine(model, "sql_schema.json")))!;
        Assert.Equal("pets.sqlite", schema["database"]!.GetValue<string>());
        Assert.Equal(64, schema["fingerprint"]!.GetValue<string>().Length);
        Assert.True(File.Exists(Path.Combine(model, "model.safetensors")));
        Assert.False(File.Exists(Path.Combine(model, "optimizer.bin")));

        var same = CliRunner.Run("ask", "--model", model, "--db", pets, "--json", "--candidates", "1", "which cat");
        Assert.Single(same.StdoutLines);
        Assert.DoesNotContain("fitted to", same.Stderr);
        var elsewhere = CliRunner.Run("ask", "--model", model, "--db", other, "--json", "--candidates", "1", "which cat");
        Assert.Single(elsewhere.StdoutLines);
        var warning = Assert.Single(elsewhere.StderrLines, l => l.StartsWith("warning: ", StringComparison.Ordinal));
        Assert.Contains("was fitted to pets.sqlite", warning);
        Assert.Contains("other.sqlite differs", warning);
        Assert.EndsWith(": column pet.age is missing", warning);
    }

    [Fact]
    public void PairsThatAllFailAreAnErrorAndAreListed()
    {
        using var tmp = Paths.TempDir();
        var pets = PetsDb.Write(tmp["pets.sqlite"]);
        File.WriteAllLines(tmp["pairs.tsv"], ["which owner\tSELECT owner FROM pet", "drop it\tDROP TABLE pet"]);
        var r = CliRunner.Run("sql", "fit", "--db", pets, "--pairs", tmp["pairs.tsv"], "--out", tmp["out"]);
        CliRunner.AssertOneLineError(r, "pairs.tsv", "none of its 2 pairs runs on", "line 1: ", "no such column: owner", "skipped.jsonl");
        Assert.Equal(2, File.ReadAllLines(tmp["out/skipped.jsonl"]).Length);
        Assert.False(Directory.Exists(tmp["out/model"]));
        CliRunner.AssertOneLineError(CliRunner.Run("sql", "fit", "--db", pets, "--pairs", tmp["pairs.tsv"], "--out", tmp["out2"], "--dev-fraction", "1"), "dev fraction");
    }
}

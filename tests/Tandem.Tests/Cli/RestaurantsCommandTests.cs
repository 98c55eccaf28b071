using System.Text.Json.Nodes;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Cli;

/// <summary><c>tandem experiment restaurants</c> as a user types it, on a tiny BERT with a budget of two steps a fold:
/// the folds it was asked for are fitted on the other nine, tested on their own questions, and reported; a subset
/// writes no row.</summary>
public class RestaurantsCommandTests
{
    [Fact]
    public void TwoFoldsAreFittedForTheirStepBudgetTestedAndReportedWithoutARow()
    {
        using var tmp = Paths.TempDir();
        var bert = TinyBert.RandomEncoder(tmp["bert"], positions: 256);
        var r = CliRunner.Run("experiment", "restaurants", "--data", Paths.Shared("data", "text2sql-data"), "--base-model", bert,
            "--max-steps", "2", "--folds", "3,7", "--run-dir", tmp["run"], "--results-dir", tmp["rows"], "--results", tmp["R.md"]);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("378 questions in 10 folds; each fold is tested by a model trained on the other nine for at most 2 steps and 15 min", r.Stdout);
        Assert.Matches(@"fold 3: exact match \d+/\d+, execution \d+/\d+ \(2 steps", r.Stdout);
        Assert.Matches(@"fold 7: exact match \d+/\d+, execution \d+/\d+ \(2 steps", r.Stdout);
        Assert.Contains("a subset of the folds: no row written", r.Stdout);
        Assert.False(Directory.Exists(tmp["rows"]));
        Assert.False(File.Exists(tmp["R.md"]));

        var folds = JsonNode.Parse(File.ReadAllText(tmp["run/folds.json"]))!.AsArray();
        Assert.Equal([3, 7], folds.Select(f => f!["fold"]!.GetValue<int>()));
        foreach (var f in folds)
        {
            Assert.Equal(2, f!["steps"]!.GetValue<int>());
            Assert.Equal(378, f["train"]!.GetValue<int>() + f["test"]!.GetValue<int>());   // the other nine folds and this one
        }
        int tested = folds.Sum(f => f!["test"]!.GetValue<int>());
        Assert.Equal(tested, File.ReadAllLines(tmp["run/predictions.jsonl"]).Length);
    }
}

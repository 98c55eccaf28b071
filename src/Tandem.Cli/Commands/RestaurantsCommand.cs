using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Tandem.Cli.Infrastructure;
using Tandem.Tasks.Sql.Experiments;

namespace Tandem.Cli.Commands;

/// <summary><c>tandem experiment restaurants</c>: the recipe of <c>sql fit</c> cross-validated over restaurants' 10 folds.</summary>
internal static class RestaurantsCommand
{
    public static Command Create()
    {
        var minutes = new Option<double>("--minutes-per-fold") { Description = "Cap on each fold's training time (the step budget usually ends it first)", DefaultValueFactory = _ => 15 };
        var data = new Option<string?>("--data") { Description = "The text2sql-data folder (default: ../shared/data/text2sql-data or shared/data/text2sql-data)" };
        var folds = new Option<string>("--folds") { Description = "Folds to test, comma separated (a subset writes no row)", DefaultValueFactory = _ => "0,1,2,3,4,5,6,7,8,9" };
        var runDir = new Option<string>("--run-dir") { Description = "Where the run is written", DefaultValueFactory = _ => "runs/restaurants" };
        var resultsDir = new Option<string>("--results-dir") { Description = "Result rows (one JSON file per row)", DefaultValueFactory = _ => "docs/results" };
        var results = new Option<string>("--results") { Description = "The generated table", DefaultValueFactory = _ => "docs/RESULTS.md" };
        var baseModel = RecipeOptions.BaseModel();
        // Each fold's budget is a number of steps, so that a busy machine changes how long a fold takes, not what it learns.
        var maxSteps = RecipeOptions.MaxSteps(300, "Optimiser steps of each fold's model");
        var seed = RecipeOptions.Seed();
        var command = new Command("restaurants", "text2sql-data restaurants, 10-fold cross-validated with sql fit's recipe and defaults (train on nine folds, test the tenth): one row of pooled execution accuracy")
        {
            minutes, data, folds, runDir, resultsDir, results, baseModel, maxSteps, seed, CommonOptions.CacheDir,
        };
        command.SetHandler(parse =>
        {
            var options = new RestaurantsOptions
            {
                DataDir = parse.GetValue(data) ?? ExperimentCommand.FindData(), Minutes = parse.GetValue(minutes), Folds = ParseFolds(parse.GetValue(folds)!),
                RunDir = parse.GetValue(runDir)!, ResultsDir = parse.GetValue(resultsDir)!, ResultsFile = parse.GetValue(results)!,
                BaseModel = parse.GetValue(baseModel)!, MaxSteps = parse.GetValue(maxSteps), Seed = parse.GetValue(seed),
                CacheDir = parse.GetValue(CommonOptions.CacheDir), Command = RecipeOptions.CommandLine,
            };
            var result = TrainingDisplay.Run(10, (progress, log) => RestaurantsExperiment.Run(options, progress, log));
            int n = result.Predictions.Count;
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"restaurants, {result.Folds.Count} fold(s): exact match [bold]{result.Predictions.Count(p => p.ExactMatch) / (double)n:P1}[/], execution accuracy [bold]{result.Predictions.Count(p => p.ExecutionMatch) / (double)n:P1}[/] ({n} questions)"));
            AnsiConsole.MarkupLine(result.Row is not null
                ? $"results: {Markup.Escape(options.ResultsFile)}"
                : "a subset of the folds: no row written (a row pools all ten)");
            return 0;
        });
        return command;
    }

    static List<int> ParseFolds(string value) =>
        value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(f => int.TryParse(f, NumberStyles.None, CultureInfo.InvariantCulture, out int i) ? i
                : throw new TandemException($"--folds takes fold numbers 0-9 separated by commas, got '{value}'")).ToList();
}

using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Tandem.Cli.Infrastructure;
using Tandem.Tasks.Sql.Fitting;

namespace Tandem.Cli.Commands;

/// <summary><c>tandem sql fit</c>: the GeoQuery recipe on the user's own SQLite database and question/SQL pairs.</summary>
internal static class SqlCommand
{
    public static Command Create()
    {
        var db = new Option<string>("--db") { Description = "The SQLite database the pairs query (opened read-only)", Required = true };
        var pairs = new Option<string>("--pairs") { Description = "Question/SQL pairs: JSON lines (source/target or question/query), CSV or TSV (with a header naming question and sql columns)", Required = true };
        var minutes = new Option<double>("--minutes") { Description = "Training time budget", DefaultValueFactory = _ => 20 };
        var output = new Option<string>("--out") { Description = "Output folder: model/, fit.json, skipped.jsonl, dev_predictions.jsonl, run/", DefaultValueFactory = _ => "runs/sql-fit" };
        var devFraction = new Option<double>("--dev-fraction") { Description = "Share of the pairs held out (by a fixed hash) and scored at the end; 0 trains on all", DefaultValueFactory = _ => 0.1 };
        var baseModel = RecipeOptions.BaseModel();
        var maxSteps = RecipeOptions.MaxSteps();
        var seed = RecipeOptions.Seed();
        var fit = new Command("fit", "Fine-tune English->SQL on your own SQLite database and question/SQL pairs (GeoQuery's recipe and defaults); pairs whose SQL does not run are listed and skipped")
        {
            db, pairs, minutes, output, devFraction, baseModel, maxSteps, seed, CommonOptions.CacheDir,
        };
        fit.SetHandler(parse =>
        {
            var options = new SqlFitOptions
            {
                DatabasePath = parse.GetValue(db)!, PairsPath = parse.GetValue(pairs)!, OutDir = parse.GetValue(output)!,
                Minutes = parse.GetValue(minutes), DevFraction = parse.GetValue(devFraction), BaseModel = parse.GetValue(baseModel)!,
                MaxSteps = parse.GetValue(maxSteps), Seed = parse.GetValue(seed), CacheDir = parse.GetValue(CommonOptions.CacheDir),
                Command = RecipeOptions.CommandLine,
            };
            AnsiConsole.MarkupLine($"fitting {Markup.Escape(options.PairsPath)} on {Markup.Escape(options.DatabasePath)}; budget {options.Minutes:G4} min");
            var result = TrainingDisplay.Run(10, (progress, log) => SqlFit.Run(options, progress, log));
            if (result.DevExactMatch is { } em && result.DevExecutionAccuracy is { } ex)
                AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                    $"dev: exact match [bold]{em:P1}[/], execution accuracy [bold]{ex:P1}[/] ({result.DevPredictions.Count} pairs, {result.Steps} steps, {result.Minutes:F1} min)"));
            else AnsiConsole.MarkupLine($"no dev pairs held out: nothing scored ({result.Steps} steps, {result.Minutes:F1} min)");
            if (result.Skipped.Count > 0)
                AnsiConsole.MarkupLine($"[yellow]{result.Skipped.Count} of {result.Pairs} pairs skipped[/] (their SQL does not run): {Markup.Escape(Path.Combine(options.OutDir, SqlFit.SkippedFile))}");
            AnsiConsole.MarkupLine($"report: {Markup.Escape(Path.Combine(options.OutDir, SqlFit.ReportFile))}");
            AnsiConsole.MarkupLine($"model: [bold]{Markup.Escape(result.ModelDir)}[/]");
            AnsiConsole.MarkupLine($"try: tandem ask --model {Markup.Escape(result.ModelDir)} --db {Markup.Escape(options.DatabasePath)} \"your question\"");
            return 0;
        });
        return new Command("sql", "English to SQL on your own database") { fit };
    }
}

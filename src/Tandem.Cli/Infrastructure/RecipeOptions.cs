using System.CommandLine;

namespace Tandem.Cli.Infrastructure;

/// <summary>The recipe options <c>sql fit</c> and <c>experiment restaurants</c> share; everything else stays at
/// GeoQuery's defaults (<see cref="Tandem.Tasks.Sql.Fitting.SqlRecipeOptions"/>).</summary>
internal static class RecipeOptions
{
    public static Option<string> BaseModel() => new("--base-model")
    {
        Description = "The pre-trained BERT both halves start from (an embedded name or a folder)",
        DefaultValueFactory = _ => "minilm",
    };

    public static Option<int> MaxSteps(int steps = 3000, string description = "Cap on optimiser steps (the time budget usually ends training first)") => new("--max-steps")
    {
        Description = description,
        DefaultValueFactory = _ => steps,
    };

    public static Option<int> Seed() => new("--seed") { Description = "Random seed", DefaultValueFactory = _ => 1 };

    /// <summary>The command line as typed, for rows and reports.</summary>
    public static string CommandLine => "tandem " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
}

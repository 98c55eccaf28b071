using Tandem.Cli.Infrastructure;
using System.CommandLine;
using Tandem.Training;

namespace Tandem.Cli.Commands;

/// <summary><c>tandem plot RUN_DIR</c>: PNG plots of loss and dev metrics from metrics.jsonl.</summary>
internal static class PlotCommand
{
    public static Command Create()
    {
        var run = new Argument<DirectoryInfo>("run-dir") { Description = "A training run folder" };
        var command = new Command("plot", "Write loss.png and dev_metrics.png for a training run") { run };
        command.SetHandler(parse =>
        {
            foreach (var png in RunPlots.Write(parse.GetValue(run)!.FullName)) Console.WriteLine(png);
            return 0;
        });
        return command;
    }
}

using System.CommandLine;
using Spectre.Console;
using Tandem.Cli.Infrastructure;
using Tandem.Training;

namespace Tandem.Cli.Commands;

/// <summary><c>tandem train --config FILE [--set key.path=value]... [--resume]</c>.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config", "-c") { Description = "training config (.json, .yaml)", Required = true };
        var set = new Option<string[]>("--set") { Description = "override a config value, e.g. optimizer.lr=3e-5 (repeatable)", AllowMultipleArgumentsPerToken = false };
        var resume = new Option<bool>("--resume") { Description = "continue from the last checkpoint of output.dir" };
        var command = new Command("train", "fine-tune a seq2seq model") { config, set, resume };
        command.SetHandler(parse => Run(parse.GetValue(config)!.FullName, parse.GetValue(set) ?? [], parse.GetValue(resume)));
        return command;
    }

    public static int Run(string configPath, string[] overrides, bool resume)
    {
        var cfg = TrainConfigLoader.Load(configPath, overrides);
        Console.WriteLine(TrainConfigLoader.ToJson(cfg));
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); Console.Error.WriteLine("stopping after this step (checkpoint first)..."); };
        TrainResult result;
        if (!Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
        {
            result = null!;
            AnsiConsole.Progress().AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("starting", maxValue: 1);
                    result = Trainer.Run(cfg, new TrainOptions
                    {
                        Resume = resume, Cancellation = cts.Token,
                        Log = line => AnsiConsole.MarkupLine(Markup.Escape(line)),
                        Progress = new Progress<TrainProgress>(p =>
                        {
                            task.MaxValue = 1;
                            task.Value = Math.Max((double)p.Step / Math.Max(1, p.TotalSteps),
                                p.Budget is { } b ? p.Elapsed.TotalSeconds / b.TotalSeconds : 0);
                            task.Description = Markup.Escape(p.ToString());
                        }),
                    });
                });
        }
        else
        {
            result = Trainer.Run(cfg, new TrainOptions
            {
                Resume = resume, Cancellation = cts.Token, Log = Console.WriteLine,
                Progress = new PlainProgressWriter(Console.Out, cfg.Output.LogEverySteps),
            });
        }
        Console.WriteLine($"done: {result.Steps} steps; best checkpoint {result.BestCheckpoint}; last {result.LastCheckpoint}");
        return 0;
    }
}

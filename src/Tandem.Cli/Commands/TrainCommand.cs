using System.CommandLine;
using Tandem.Cli.Infrastructure;
using Tandem.Training;

namespace Tandem.Cli.Commands;

/// <summary><c>tandem train --config FILE [--set key.path=value]... [--resume]</c>.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var (config, set, resume) = Options("training config (.json, .yaml)", "optimizer.lr=3e-5");
        var command = new Command("train", "Fine-tune a seq2seq model (or a prefix LM) from a JSON/YAML config") { config, set, resume };
        command.SetHandler(parse => Run(parse.GetValue(config)!.FullName, parse.GetValue(set) ?? [], parse.GetValue(resume)));
        return command;
    }

    /// <summary>The options of a training command: <c>--config</c>, <c>--set</c> (repeatable), <c>--resume</c>.</summary>
    public static (Option<FileInfo> Config, Option<string[]> Set, Option<bool> Resume) Options(string configDescription, string setExample) =>
    (
        new Option<FileInfo>("--config", "-c") { Description = configDescription, Required = true },
        new Option<string[]>("--set") { Description = $"Override a config value, e.g. {setExample} (repeatable)", AllowMultipleArgumentsPerToken = false },
        new Option<bool>("--resume") { Description = "Continue from the last checkpoint of output.dir" }
    );

    public static int Run(string configPath, string[] overrides, bool resume) => Run(TrainConfigLoader.Load(configPath, overrides), resume);

    /// <summary>Runs <paramref name="cfg"/> with the progress display, stopping at a checkpoint on SIGINT/SIGTERM/SIGHUP
    /// (exit 130/143/129); <c>tandem pretrain</c> shares it.</summary>
    public static int Run(TrainConfig cfg, bool resume)
    {
        Console.WriteLine(TrainConfigLoader.ToJson(cfg));
        using var interruption = new Interruption("stopping after this step, checkpoint first");
        var result = TrainingDisplay.Run(cfg.Output.LogEverySteps, (progress, log) =>
            Trainer.Run(cfg, new TrainOptions { Resume = resume, Cancellation = interruption.Token, Log = log, Progress = progress }));
        if (result.Cancelled)
        {
            Console.WriteLine($"interrupted by {interruption.SignalName} at step {result.Steps}; last checkpoint {result.LastCheckpoint}; continue with --resume");
            return interruption.ExitCode;
        }
        Console.WriteLine($"done: {result.Steps} steps; best checkpoint {result.BestCheckpoint}; last {result.LastCheckpoint}");
        return 0;
    }
}

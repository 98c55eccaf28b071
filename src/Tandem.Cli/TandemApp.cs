using System.CommandLine;
using Tandem.Cli.Commands;
using Tandem.Cli.Infrastructure;

namespace Tandem.Cli;

/// <summary>The command tree of <c>tandem</c>. Each command lives in its own file and only wires options to library calls.</summary>
internal static class TandemApp
{
    /// <summary>The width tables are laid out to when standard output is not a terminal.</summary>
    public const int RedirectedWidth = 220;

    /// <summary>Parses and runs <paramref name="args"/>; a parse error is one line and exit code 1.</summary>
    public static int Run(string[] args)
    {
        var parse = Build().Parse(args);
        Diagnostics.PhaseTiming.Mark("command line parsed");
        // Written to a file or a pipe, Spectre would wrap tables at 80 columns: a table saved from `tandem bench > f`
        // should read as it does on a wide terminal.
        if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = RedirectedWidth;
        return ParseErrors.Report(parse) ?? parse.Invoke();
    }

    /// <summary>A root named <c>tandem</c> (RootCommand would take the assembly name, Tandem.Cli).</summary>
    public static Command Build()
    {
        var root = new Command("tandem", "Tandem: sequence-to-sequence Transformers from pre-trained checkpoints (BERT, RoBERTa, GPT-2: BERT2BERT, BERTShare, BERT2GPT2, RoBERTaShare, UniLM), on TorchSharp.")
        {
            new System.CommandLine.Help.HelpOption(),
            new VersionOption(),
        };
        root.Options.Add(CommonOptions.Verbose);
        root.Subcommands.Add(EmbedCommand.Create());
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(TokenizeCommand.Create());
        root.Subcommands.Add(ConvertCommand.Create());
        root.Subcommands.Add(InitCommand.Create());
        root.Subcommands.Add(ScoreCommand.Create());
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(PlotCommand.Create());
        root.Subcommands.Add(AskCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(ExperimentCommand.Create());
        root.Subcommands.Add(SqlCommand.Create());
        root.Subcommands.Add(TokenizerCommand.Create());
        root.Subcommands.Add(PretrainCommand.Create());
        root.Subcommands.Add(FillMaskCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        return root;
    }
}

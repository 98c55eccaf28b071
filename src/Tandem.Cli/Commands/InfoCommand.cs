using System.CommandLine;
using Tandem.Cli.Infrastructure;
using Tandem.Pipelines;

namespace Tandem.Cli.Commands;

/// <summary><c>tandem info</c>: architecture, parameter count and special-token ids of a model.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model("A checkpoint folder (BERT, RoBERTa, GPT-2 or encoder-decoder), or minilm");
        var command = new Command("info", "Describe a model: architecture, parameter count, special-token ids") { model, CommonOptions.CacheDir };
        command.SetHandler(parse =>
        {
            Console.Out.WriteLine(ModelInfo.Describe(parse.GetValue(model)!, parse.GetValue(CommonOptions.CacheDir)));
            return 0;
        });
        return command;
    }
}

using Tandem.Cli.Infrastructure;
using System.CommandLine;
using Tandem.Evaluation;

namespace Tandem.Cli.Commands;

/// <summary><c>tandem evaluate --model DIR --data FILE [--beams N] [--max-new-tokens N] [--lowercase]</c>.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model", "-m") { Description = "Model folder", Required = true };
        var data = new Option<FileInfo>("--data", "-d") { Description = "Pairs file (.jsonl, .tsv, .csv)", Required = true };
        var beams = new Option<int>("--num-beams", "--beams") { Description = "Beam width (as generate's --num-beams)", DefaultValueFactory = _ => 1 };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "Longest output", DefaultValueFactory = _ => 128 };
        var limit = new Option<int>("--limit") { Description = "Evaluate at most N examples (0 = all)" };
        var lower = new Option<bool>("--lowercase") { Description = "Lower-case before BLEU" };
        var source = new Option<string>("--source-field") { Description = "Source field", DefaultValueFactory = _ => "source" };
        var target = new Option<string>("--target-field") { Description = "Target field", DefaultValueFactory = _ => "target" };
        var precision = CommonOptions.Precision("fp32");
        var command = new Command("evaluate", "Generate for a data file and print exact match, token accuracy and BLEU")
            { model, data, beams, maxNew, limit, lower, source, target, precision };
        command.SetHandler(parse =>
        {
            using var products = CommonOptions.EnterPrecision(parse.GetValue(precision)!, TorchSharp.torch.CPU);
            var result = ModelEvaluation.Run(parse.GetValue(model)!.FullName, parse.GetValue(data)!.FullName, new ModelEvaluationOptions
            {
                NumBeams = parse.GetValue(beams), MaxNewTokens = parse.GetValue(maxNew), MaxExamples = parse.GetValue(limit),
                Lowercase = parse.GetValue(lower), SourceField = parse.GetValue(source)!, TargetField = parse.GetValue(target)!,
            });
            Console.WriteLine($"{result.Examples} examples: {result}");
            if (result.Bleu is { } b) Console.WriteLine($"{b}\n{b.Signature}");
            return 0;
        });
        return command;
    }
}

using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Tandem.Cli.Infrastructure;
using Tandem.Pipelines;

namespace Tandem.Cli.Commands;

/// <summary><c>tandem fill-mask --model DIR [--top-k 5] [--json] "select [MASK] from state"</c> (<c>&lt;mask&gt;</c> for RoBERTa).</summary>
internal static class FillMaskCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model("A masked-LM folder (BertForMaskedLM, RobertaForMaskedLM, e.g. a tandem pretrain checkpoint)");
        var text = new Argument<string>("text") { Description = "Text with one or more mask tokens ([MASK], <mask>)" };
        var topK = new Option<int>("--top-k", "-k") { Description = "Guesses shown per mask token", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "One JSON line per mask token: {\"mask\": i, \"candidates\": [{\"token\", \"id\", \"probability\"}]}" };
        var command = new Command("fill-mask", "Show the top-k tokens with probabilities a masked language model guesses for each mask token")
        {
            model, text, topK, json, CommonOptions.CacheDir,
        };
        command.SetHandler(parse =>
        {
            using var pipeline = FillMaskPipeline.Load(parse.GetValue(model)!, parse.GetValue(CommonOptions.CacheDir));
            var masks = pipeline.Fill(parse.GetValue(text)!, parse.GetValue(topK));
            for (int m = 0; m < masks.Count; m++)
            {
                if (parse.GetValue(json))
                {
                    var candidates = masks[m].Select(c => new Dictionary<string, object> { ["token"] = c.Token, ["id"] = c.Id, ["probability"] = Math.Round(c.Probability, 6) });
                    Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["mask"] = m, ["candidates"] = candidates }));
                    continue;
                }
                if (masks.Count > 1) Console.Out.WriteLine($"{pipeline.MaskToken} {m + 1}:");
                foreach (var c in masks[m]) Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {100 * c.Probability,5:F1}%  {c.Token}"));
            }
            return 0;
        });
        return command;
    }
}

using System.CommandLine;
using TorchSharp;
using System.Text.Json;
using Tandem.Cli.Infrastructure;
using Tandem.Pipelines;

namespace Tandem.Cli.Commands;

/// <summary><c>tandem generate</c>: one output line (or JSON line) per input.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model("A seq2seq model folder, or a decoder-only LM folder (GPT-2) whose prompts it continues");
        var texts = CommonOptions.Texts("texts", "Source texts or prompts (else --file, else standard input)");
        var file = new Option<string?>("--file", "-f") { Description = "Read sources from this file, one per line (- for stdin)" };
        var ids = new Option<string[]>("--ids") { Description = "Raw source token ids, space separated; repeat for more inputs" };
        var idsFile = new Option<string?>("--ids-file") { Description = "A file of raw source token ids, one input per line" };
        var batch = new Option<int>("--batch-size", "-b") { Description = "Inputs generated together", DefaultValueFactory = _ => 8 };
        var generation = new GenerationOptions();
        var precision = CommonOptions.Precision("fp32");
        var command = new Command("generate", "Generate outputs for source texts (or token ids), or continue prompts with a decoder-only LM, with greedy search, beam search or sampling")
        {
            model, texts, file, ids, idsFile, batch, precision, CommonOptions.Json, CommonOptions.Device,
        };
        foreach (var o in generation.All) command.Options.Add(o);
        command.SetHandler(parse =>
        {
            using var pipeline = TextGenerators.Load(parse.GetValue(model)!);
            var device = DeviceOption.Resolve(parse.GetValue(CommonOptions.Device));
            pipeline.Module.to(device);
            using var products = CommonOptions.EnterPrecision(parse.GetValue(precision)!, device);
            var config = generation.Apply(parse, pipeline.GenerationConfig);
            IEnumerable<GeneratedItem> results;
            var rawIds = parse.GetValue(ids) ?? [];
            if (rawIds.Length > 0 || parse.GetValue(idsFile) is not null)
            {
                var lines = rawIds.Length > 0 ? rawIds.ToList() : TextSources.Read(null, parse.GetValue(idsFile));
                var inputs = lines.Select((l, i) => TextSources.ParseIds(l, $"ids input {i + 1}")).ToList();
                results = pipeline.GenerateIds(inputs, config, parse.GetValue(batch));
            }
            else
            {
                var inputs = TextSources.Read(parse.GetValue(texts), parse.GetValue(file));
                results = pipeline.Generate(inputs, config, parse.GetValue(batch), Console.Error.WriteLine);
            }
            bool json = parse.GetValue(CommonOptions.Json);
            int failed = 0;
            foreach (var item in results)
            {
                if (item.Error is not null)
                {
                    failed++;
                    Console.Error.WriteLine($"error: {item.Error}");
                    Console.Out.WriteLine(json ? JsonSerializer.Serialize(new { error = item.Error }) : "");
                    continue;
                }
                if (json)
                {
                    var o = new Dictionary<string, object> { ["sequences"] = item.Sequences, ["texts"] = item.Texts };
                    if (item.Scores is not null) o["scores"] = item.Scores;
                    Console.Out.WriteLine(JsonSerializer.Serialize(o));
                }
                else foreach (var (text, ids) in item.Texts.Zip(item.Sequences))
                    Console.Out.WriteLine(text.Length > 0 || ids.Length == 0 ? text : string.Join(' ', ids));   // no tokenizer: the ids
            }
            return failed == 0 ? 0 : 1;
        });
        return command;
    }
}

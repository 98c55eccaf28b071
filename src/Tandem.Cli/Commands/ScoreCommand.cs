using System.CommandLine;
using TorchSharp;
using System.Globalization;
using System.Text.Json;
using Tandem.Cli.Infrastructure;
using Tandem.Pipelines;

namespace Tandem.Cli.Commands;

/// <summary><c>tandem score</c>: log-probability of each target token given the source and earlier targets.</summary>
internal static class ScoreCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model("An encoder-decoder model folder");
        var source = new Option<string?>("--source", "-s") { Description = "Source text" };
        var target = new Option<string?>("--target", "-t") { Description = "Target text (scored with the EOS the model must produce)" };
        var sourceIds = new Option<string?>("--source-ids") { Description = "Source token ids, space separated (as the encoder reads them)" };
        var targetIds = new Option<string?>("--target-ids") { Description = "Target token ids, space separated; end them with EOS yourself" };
        var pairs = new Option<string?>("--pairs") { Description = "A file of pairs to score: TSV (source<TAB>target) or JSON lines {\"source\",\"target\"}" };
        var command = new Command("score", "Score targets given sources: per-token log-probabilities and mean loss")
        {
            model, source, target, sourceIds, targetIds, pairs, CommonOptions.Json, CommonOptions.Device,
        };
        command.SetHandler(parse =>
        {
            using var pipeline = Seq2SeqPipeline.Load(parse.GetValue(model)!);
            pipeline.Model.Module.to(DeviceOption.Resolve(parse.GetValue(CommonOptions.Device)));
            bool json = parse.GetValue(CommonOptions.Json);
            if (parse.GetValue(pairs) is { } file)
            {
                int failed = 0, n = 0;
                foreach (var (line, src, tgt) in PairFile.Read(file))
                {
                    n++;
                    try { Print(Seq2SeqScorer.Score(pipeline, src, tgt), json, line); }
                    catch (TandemException e) { failed++; Console.Error.WriteLine($"error: {file}:{line}: {e.Message}"); }
                }
                return failed == 0 ? 0 : 1;
            }
            TargetScore score;
            if (parse.GetValue(sourceIds) is { } si || parse.GetValue(targetIds) is not null)
            {
                var s = parse.GetValue(sourceIds) ?? throw new TandemException("--target-ids needs --source-ids");
                var t = parse.GetValue(targetIds) ?? throw new TandemException("--source-ids needs --target-ids");
                score = Seq2SeqScorer.ScoreIds(pipeline, TextSources.ParseIds(s, "--source-ids"), TextSources.ParseIds(t, "--target-ids"));
            }
            else
            {
                var s = parse.GetValue(source) ?? throw new TandemException("give --source and --target, --source-ids and --target-ids, or --pairs FILE");
                var t = parse.GetValue(target) ?? throw new TandemException("--source needs --target");
                score = Seq2SeqScorer.Score(pipeline, s, t);
            }
            Print(score, json, null);
            return 0;
        });
        return command;
    }

    static void Print(TargetScore score, bool json, int? line)
    {
        if (json)
        {
            var o = new Dictionary<string, object> { ["token_logprobs"] = score.TokenLogprobs, ["loss"] = score.Loss };
            if (line is { } l) o["line"] = l;
            Console.Out.WriteLine(JsonSerializer.Serialize(o));
            return;
        }
        if (line is { } n) Console.Out.WriteLine($"# pair on line {n}");
        for (int i = 0; i < score.Tokens.Length; i++)
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{score.Tokens[i],-20} {score.TokenIds[i],8} {score.TokenLogprobs[i],12:F6}"));
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loss {score.Loss:F6}"));
    }
}

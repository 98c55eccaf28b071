using System.CommandLine;
using Tandem.Cli.Infrastructure;
using Tandem.Pipelines;

namespace Tandem.Cli.Commands;

/// <summary><c>tandem init</c>: a warm-started encoder-decoder folder from two checkpoints.</summary>
internal static class InitCommand
{
    public static Command Create()
    {
        var encoder = new Option<string?>("--encoder", "-e") { Description = "Encoder: a checkpoint folder (BERT, RoBERTa, ...), minilm, or random:<config.json>" };
        var decoder = new Option<string?>("--decoder", "-d") { Description = "Decoder: a checkpoint folder (BERT, RoBERTa, ...), minilm, or random:<config.json>" };
        var unilm = new Option<string?>("--unilm") { Description = "Instead of an encoder-decoder: one BERT (folder, minilm or random:<config.json>) with the UniLM prefix mask" };
        var tie = new Option<bool>("--tie") { Description = "Share every weight encoder and decoder have in common (BERTShare, RoBERTaShare)" };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "One tokenizer folder for both sides (default: each side keeps its checkpoint's own; a side without one borrows the other's)" };
        var output = new Option<string>("--out", "-o") { Description = "Folder to write the model to", Required = true };
        var startId = new Option<int?>("--decoder-start-token-id") { Description = "Override the decoder start id the recipe picks (BERT: [CLS], RoBERTa: <s>, GPT-2: <|endoftext|>)" };
        var padId = new Option<int?>("--pad-token-id") { Description = "Override the pad id (GPT-2 has no pad token: the eos id serves)" };
        var eosId = new Option<int?>("--eos-token-id") { Description = "Override the end-of-sequence id (BERT: [SEP], RoBERTa: </s>)" };
        var seed = new Option<long?>("--seed") { Description = "Random seed for the newly initialised weights (default: a fresh one, printed, so the draw can be made again)" };
        var command = new Command("init", "Build a warm-started encoder-decoder model folder (cross-attention newly initialised), or a UniLM prefix LM")
        {
            encoder, decoder, unilm, tie, tokenizer, output, startId, padId, eosId, seed, CommonOptions.CacheDir,
        };
        command.SetHandler(parse =>
        {
            if (File.Exists(parse.GetValue(output)))
                throw new TandemException($"--out {parse.GetValue(output)}: a file is in the way; give a folder");
            long drawSeed = parse.GetValue(seed) ?? Random.Shared.NextInt64(1, 1L << 31);
            TorchSharp.torch.manual_seed(drawSeed);
            if (parse.GetValue(unilm) is { } bert)
            {
                if (parse.GetValue(encoder) is not null || parse.GetValue(decoder) is not null || parse.GetValue(tie))
                    throw new TandemException("--unilm builds a single-stack model: do not combine it with --encoder, --decoder or --tie");
                var (prefix, loadReport) = Seq2SeqInitializer.CreatePrefixLM(bert, parse.GetValue(tokenizer), parse.GetValue(CommonOptions.CacheDir));
                using (prefix)
                {
                    if (loadReport is not null)
                        foreach (var line in loadReport.Describe("PrefixLMModel", bert)) Console.Error.WriteLine(line);
                    prefix.SavePretrained(parse.GetValue(output)!);
                    Console.Out.WriteLine($"parameters: {Pipelines.ModelInfo.Count(prefix):N0} total, {loadReport?.Missing.Count ?? 0} tensors newly initialised");
                }
                Console.Out.WriteLine($"wrote {parse.GetValue(output)} (seed {drawSeed})");
                return 0;
            }
            if (parse.GetValue(encoder) is null || parse.GetValue(decoder) is null)
                throw new TandemException("give --encoder and --decoder (or --unilm BERT)");
            var overrides = new Modeling.SpecialTokenIds(parse.GetValue(startId), parse.GetValue(padId), parse.GetValue(eosId));
            var (model, report) = Seq2SeqInitializer.Create(parse.GetValue(encoder)!, parse.GetValue(decoder)!, parse.GetValue(tie),
                parse.GetValue(tokenizer), parse.GetValue(CommonOptions.CacheDir), overrides);
            using (model)
            {
                bool verbose = parse.GetValue(CommonOptions.Verbose);
                foreach (var line in report.Describe()) Console.Error.WriteLine(verbose || line.Length < 400 ? line : line[..400] + " ...] (--verbose lists all)");
                model.SavePretrained(parse.GetValue(output)!);
            }
            Console.Out.WriteLine($"parameters: {report.TotalParameters:N0} total, {report.NewParameters:N0} newly initialised, {report.SharedParameters:N0} shared (counted once in the total: the LM head tied to the word embeddings{(parse.GetValue(tie) ? ", and the encoder weights tied to the decoder" : "")})");
            Console.Out.WriteLine($"wrote {parse.GetValue(output)} (seed {drawSeed})");
            return 0;
        });
        return command;
    }
}

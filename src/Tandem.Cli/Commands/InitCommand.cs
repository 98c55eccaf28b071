using System.CommandLine;
using Tandem.Cli.Infrastructure;
using Tandem.Pipelines;

namespace Tandem.Cli.Commands;

/// <summary><c>tandem init</c>: a warm-started encoder-decoder folder from two checkpoints.</summary>
internal static class InitCommand
{
    public static Command Create()
    {
        var encoder = new Option<string>("--encoder", "-e") { Description = "Encoder: a BERT folder, minilm, or random:<config.json>", Required = true };
        var decoder = new Option<string>("--decoder", "-d") { Description = "Decoder: a BERT folder, minilm, or random:<config.json>", Required = true };
        var tie = new Option<bool>("--tie") { Description = "Share every weight encoder and decoder have in common (BERTShare)" };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "Tokenizer folder (default: the decoder's, else the encoder's)" };
        var output = new Option<string>("--out", "-o") { Description = "Folder to write the model to", Required = true };
        var command = new Command("init", "Build a warm-started encoder-decoder model folder (cross-attention newly initialised)")
        {
            encoder, decoder, tie, tokenizer, output, CommonOptions.CacheDir,
        };
        command.SetHandler(parse =>
        {
            var (model, report) = Seq2SeqInitializer.Create(parse.GetValue(encoder)!, parse.GetValue(decoder)!, parse.GetValue(tie),
                parse.GetValue(tokenizer), parse.GetValue(CommonOptions.CacheDir));
            using (model)
            {
                bool verbose = parse.GetValue(CommonOptions.Verbose);
                foreach (var line in report.Describe()) Console.Error.WriteLine(verbose || line.Length < 400 ? line : line[..400] + " ...] (--verbose lists all)");
                model.SavePretrained(parse.GetValue(output)!);
            }
            Console.Out.WriteLine($"parameters: {report.TotalParameters:N0} total, {report.NewParameters:N0} newly initialised, {report.SharedParameters:N0} shared (counted once in the total: the LM head tied to the word embeddings{(parse.GetValue(tie) ? ", and the encoder weights tied to the decoder" : "")})");
            Console.Out.WriteLine($"wrote {parse.GetValue(output)}");
            return 0;
        });
        return command;
    }
}

using System.CommandLine;
using System.Text.Json;
using Tandem.Cli.Infrastructure;
using Tandem.Pretrained;
using Tandem.Tokenization;

namespace Tandem.Cli.Commands;

/// <summary><c>tandem tokenize</c>: the ids and tokens a model reads for each text (with its special tokens).</summary>
internal static class TokenizeCommand
{
    public static Command Create()
    {
        var tokenizer = new Option<string>("--tokenizer", "-t")
        {
            Description = "A tokenizer folder (tokenizer.json, vocab.json + merges.txt, or vocab.txt), a model folder, or minilm",
            Required = true,
        };
        var pair = new Option<string?>("--pair") { Description = "A second text, encoded with each text as a pair (<s> A </s></s> B </s>, [CLS] A [SEP] B [SEP])" };
        var json = new Option<bool>("--json") { Description = "Print JSON lines {\"text\", \"ids\", \"tokens\"} (and \"pair\")" };
        var texts = new Argument<string[]>("texts") { Description = "Texts to tokenize (else --file, else standard input)", Arity = ArgumentArity.ZeroOrMore };
        var file = new Option<string?>("--file", "-f") { Description = "Read texts from this file, one per line (- for stdin)" };
        var command = new Command("tokenize", "Print the ids and tokens of each text, special tokens included: one line per text (TEXT<tab>TOKENS<tab>IDS)")
        {
            tokenizer, pair, json, texts, file, CommonOptions.CacheDir,
        };
        command.SetHandler(parse =>
        {
            var tok = AutoTokenizer.FromPretrained(EmbeddedModels.Resolve(parse.GetValue(tokenizer)!, parse.GetValue(CommonOptions.CacheDir)));
            string? second = parse.GetValue(pair);
            var options = new EncodeOptions { AllowEmpty = true, Truncation = false, Padding = PaddingStrategy.None };
            foreach (var text in TextSources.Read(parse.GetValue(texts), parse.GetValue(file)))
            {
                var ids = (second is null ? tok.Encode([text], options) : tok.Encode([text], [second], options)).InputIds[0];
                var tokens = tok.ConvertIdsToTokens(ids);
                Console.Out.WriteLine(parse.GetValue(json)
                    ? JsonSerializer.Serialize(second is null
                        ? new Dictionary<string, object> { ["text"] = text, ["ids"] = ids, ["tokens"] = tokens }
                        : new Dictionary<string, object> { ["text"] = text, ["pair"] = second, ["ids"] = ids, ["tokens"] = tokens })
                    : $"{text}\t{string.Join(' ', tokens)}\t{string.Join(' ', ids)}");
            }
            return 0;
        });
        return command;
    }
}

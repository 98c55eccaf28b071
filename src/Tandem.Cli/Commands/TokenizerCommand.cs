using System.CommandLine;
using Spectre.Console;
using Tandem.Cli.Infrastructure;
using Tandem.Tokenization.Training;

namespace Tandem.Cli.Commands;

/// <summary><c>tandem tokenizer train</c>: a WordPiece vocabulary (BERT) or a byte-level BPE (GPT-2, RoBERTa) from text files.</summary>
internal static class TokenizerCommand
{
    public static Command Create()
    {
        var corpus = new Option<string[]>("--corpus") { Description = "Text files to learn from, UTF-8, read line by line (repeatable)", Required = true, AllowMultipleArgumentsPerToken = true };
        var vocabSize = new Option<int>("--vocab-size") { Description = "Vocabulary size, special tokens and alphabet included", DefaultValueFactory = _ => 30522 };
        var output = new Option<string>("--out", "-o") { Description = "Folder to write (vocab.txt or vocab.json + merges.txt; tokenizer.json, tokenizer_config.json, special_tokens_map.json)", Required = true };
        var type = new Option<string>("--type") { Description = "wordpiece (BERT) or bpe (byte-level, GPT-2/RoBERTa)", DefaultValueFactory = _ => "wordpiece" };
        type.AcceptOnlyFromAmong("wordpiece", "bpe");
        var template = new Option<string>("--template") { Description = "With --type bpe: gpt2 (<|endoftext|>) or roberta (<s> <pad> </s> <unk> <mask>, <s> A </s>)" };
        template.AcceptOnlyFromAmong("gpt2", "roberta");
        var lowercase = new Option<bool>("--lowercase") { Description = "Lower-case the text (an uncased model); accents are then stripped too, as BERT does, unless --keep-accents" };
        var stripAccents = new Option<bool>("--strip-accents") { Description = "Strip accents (also without --lowercase)" };
        var keepAccents = new Option<bool>("--keep-accents") { Description = "Keep accents with --lowercase" };
        var minFrequency = new Option<long>("--min-frequency") { Description = "Merge a pair only if it occurs at least this often", DefaultValueFactory = _ => 2 };
        var limitAlphabet = new Option<int>("--limit-alphabet") { Description = "Keep only the N most frequent characters (default: all, so no seen character becomes [UNK])" };
        var train = new Command("train", "Train a WordPiece vocabulary (BERT's tokenizer) or a byte-level BPE (GPT-2's, RoBERTa's) from text files")
        {
            corpus, vocabSize, output, type, template, lowercase, stripAccents, keepAccents, minFrequency, limitAlphabet,
        };
        train.SetHandler(parse =>
        {
            var files = parse.GetValue(corpus)!;
            var outDir = parse.GetValue(output)!;
            if (parse.GetValue(type) == "bpe")
            {
                foreach (var o in new Option[] { lowercase, stripAccents, keepAccents, limitAlphabet })
                    if (parse.GetResult(o) is { Implicit: false }) throw new TandemException($"{o.Name} is a WordPiece option; a byte-level BPE keeps the text as it is");
                var bpeOptions = new BpeTrainingOptions
                {
                    VocabSize = parse.GetResult(vocabSize) is { Implicit: false } ? parse.GetValue(vocabSize) : new BpeTrainingOptions().VocabSize,
                    MinFrequency = parse.GetValue(minFrequency),
                    Template = parse.GetValue(template) == "roberta" ? BpeTemplate.Roberta : BpeTemplate.Gpt2,
                };
                var bpe = ProgressDisplay.Run(progress => ByteLevelBpeTrainer.TrainAndSave(files, bpeOptions, outDir, progress));
                Console.Out.WriteLine($"wrote {outDir}: {bpe.VocabSize:N0} tokens (byte-level BPE)");
                return 0;
            }
            if (parse.GetResult(template) is { Implicit: false }) throw new TandemException("--template is a BPE option; give --type bpe");
            if (parse.GetValue(stripAccents) && parse.GetValue(keepAccents)) throw new TandemException("--strip-accents and --keep-accents contradict each other");
            var options = new VocabularyTrainingOptions
            {
                VocabSize = parse.GetValue(vocabSize),
                MinFrequency = parse.GetValue(minFrequency),
                Lowercase = parse.GetValue(lowercase),
                StripAccents = parse.GetValue(stripAccents) ? true : parse.GetValue(keepAccents) ? false : null,
                LimitAlphabet = parse.GetValue(limitAlphabet),
            };
            var tokenizer = ProgressDisplay.Run(progress => WordPieceTrainer.TrainAndSave(files, options, outDir, progress));
            Console.Out.WriteLine($"wrote {outDir}: {tokenizer.VocabSize:N0} tokens");
            return 0;
        });
        return new Command("tokenizer", "Make tokenizers") { train };
    }

    /// <summary>Reading and merging on a progress bar (plain lines when the output is not a terminal).</summary>
    static class ProgressDisplay
    {
        public static T Run<T>(Func<IProgress<VocabularyTrainingProgress>, T> work)
        {
            if (Console.IsErrorRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            {
                string? last = null;
                return work(new SyncProgress(p =>
                {
                    var line = $"{p.Phase}: {p.Fraction:P0}";
                    if (line != last) Console.Error.WriteLine(line);
                    last = line;
                }));
            }
            T result = default!;
            AnsiConsole.Progress().AutoClear(false).Start(ctx =>
            {
                var reading = ctx.AddTask("reading the corpus", maxValue: 1);
                var merging = ctx.AddTask("merging", maxValue: 1);
                result = work(new SyncProgress(p => (p.Phase == "reading" ? reading : merging).Value = p.Fraction));
                reading.Value = merging.Value = 1;
            });
            return result;
        }
    }

    sealed class SyncProgress(Action<VocabularyTrainingProgress> report) : IProgress<VocabularyTrainingProgress>
    {
        public void Report(VocabularyTrainingProgress value) => report(value);
    }
}

using System.Globalization;
using Tandem.Pretrained;
using Tandem.Pretraining;
using Tandem.Tokenization.Training;
using Tandem.Training;

namespace Tandem.Tasks.Translation;

/// <summary>Options of the Multi30k translation experiment (<see cref="TranslationExperiment"/>).</summary>
public sealed class TranslationOptions
{
    /// <summary>Multi30k's folder (with <c>task1/raw</c>).</summary>
    public required string DataDir { get; init; }
    /// <summary>German manual pages for the corpus (<see cref="GermanCorpus.DebianManDir"/>); null or missing: none.</summary>
    public string? ManDir { get; init; } = GermanCorpus.DebianManDir;
    /// <summary>Folders of further German <c>*.txt</c> files for the corpus.</summary>
    public IReadOnlyList<string> ExtraCorpus { get; init; } = [];
    /// <summary>Times Multi30k's training German stands in the corpus.</summary>
    public int Multi30kCopies { get; init; } = 4;
    /// <summary>Size of the cased German WordPiece vocabulary.</summary>
    public int VocabSize { get; init; } = 8000;
    /// <summary>Pre-training budget of the German BERT (from scratch), in minutes.</summary>
    public double PretrainMinutes { get; init; } = 30;
    /// <summary>Peak learning rate of the German BERT's pre-training.</summary>
    public double PretrainLearningRate { get; init; } = 5e-4;
    /// <summary>Token budget of a pre-training batch (blocks of 128 tokens x blocks).</summary>
    public int PretrainMaxTokens { get; init; } = 2048;
    /// <summary>Fine-tuning budget of each row, in minutes.</summary>
    public double Minutes { get; init; } = 30;
    /// <summary>Peak learning rate of the rows.</summary>
    public double LearningRate { get; init; } = 1e-4;
    /// <summary>Beam width at test time.</summary>
    public int NumBeams { get; init; } = 4;
    /// <summary>The rows to run: <c>germanbert</c>, <c>rnd</c>, <c>rnd2rnd</c>.</summary>
    public IReadOnlyList<string> Rows { get; init; } = AllRows;
    /// <summary>Keep a finished pre-training (its folder has a checkpoint) instead of running it again.</summary>
    public bool Reuse { get; init; }
    /// <summary>Train on the first N pairs only (0: all): for a quick check of the whole command, not for a row.</summary>
    public int MaxTrain { get; init; }
    /// <summary>Test on the first N sentences only (0: all): for a quick check, not for a row.</summary>
    public int MaxTest { get; init; }
    /// <summary>Keep at most N lines of each corpus source (0: all): for a quick check.</summary>
    public int MaxCorpusLines { get; init; }
    /// <summary>Random seed.</summary>
    public int Seed { get; init; } = 1;
    /// <summary>Folder of the corpus, the vocabulary, the pre-training and the rows' runs.</summary>
    public string RunDir { get; init; } = "runs/multi30k";
    /// <summary>Folder of result rows.</summary>
    public string ResultsDir { get; init; } = "docs/results";
    /// <summary>The generated results table.</summary>
    public string ResultsFile { get; init; } = "docs/RESULTS.md";
    /// <summary>The command line as typed, recorded in the rows.</summary>
    public string Command { get; init; } = "";
    /// <summary>Embedded model cache.</summary>
    public string? CacheDir { get; init; }

    /// <summary>Every row, in table order.</summary>
    public static IReadOnlyList<string> AllRows { get; } = ["germanbert", "rnd", "rnd2rnd"];
}

/// <summary>
/// Translation from two monolingual models: Multi30k English to German with an English encoder (the embedded MiniLM)
/// and a German decoder that never saw English. In one command:
/// <list type="number">
/// <item>the German corpus (<see cref="GermanCorpus"/>: Multi30k's training German, the German manual pages, extra text;
/// no Multi30k test or validation sentence);</item>
/// <item>a cased WordPiece vocabulary of the corpus, accents kept (umlauts, ß);</item>
/// <item>GermanBERT: MiniLM's shape (6 layers, 384 wide) with that vocabulary, masked-LM pre-trained from scratch;</item>
/// <item>the rows, each fine-tuned on Multi30k train within the same budget and tested once on test 2016 Flickr:
/// MiniLM2GermanBERT, MiniLM2RND (GermanBERT's shape and vocabulary, random: what pre-training adds) and RND2RND (both
/// halves random, MiniLM's vocabulary for English); each row states the pre-training budget beside its own.</item>
/// </list>
/// </summary>
public static class TranslationExperiment
{
    /// <summary>Runs the stages and the rows; returns the rows' results.</summary>
    public static IReadOnlyList<TranslationResult> Run(TranslationOptions o, ITrainingHost host)
    {
        foreach (var row in o.Rows)
            if (!TranslationOptions.AllRows.Contains(row)) throw new TandemException($"unknown row '{row}' (known: {string.Join(", ", TranslationOptions.AllRows)})");
        var train = Multi30kReader.ReadPairs(o.DataDir, Multi30kReader.Train, "en", "de");
        var test = Multi30kReader.ReadPairs(o.DataDir, Multi30kReader.Test2016, "en", "de");
        if (o.MaxTrain > 0) train = train.Take(o.MaxTrain).ToList();
        if (o.MaxTest > 0) test = test.Take(o.MaxTest).ToList();
        var minilm = EmbeddedModels.Resolve("minilm", o.CacheDir);

        if (o.ManDir is null || !Directory.Exists(o.ManDir))
            host.Log($"German manual pages not found ({o.ManDir ?? "none given"}): the corpus is Multi30k's training German{(o.ExtraCorpus.Count > 0 ? " and the extra text" : "")} (apt-get install manpages-de adds them)");
        var corpus = GermanCorpus.Build(o.DataDir, o.ManDir, o.ExtraCorpus, Path.Combine(o.RunDir, "corpus"), o.Multi30kCopies, o.MaxCorpusLines);
        host.Log(string.Create(CultureInfo.InvariantCulture, $"German corpus: {corpus.TrainLines:N0} lines ({corpus.TrainCharacters / 1e6:F1} M characters) + {corpus.DevLines} held out; ")
            + $"{corpus.Excluded} Multi30k test/validation sentences left out; {Sources(corpus)}");

        // GermanBERT's shape: MiniLM's config with the German vocabulary (its random twin's too)
        var shape = Path.Combine(o.RunDir, "germanbert-shape");
        var vocab = ModelShape.Create(minilm, [corpus.TrainFile], new VocabularyTrainingOptions { VocabSize = o.VocabSize, Lowercase = false, StripAccents = false }, shape);
        host.Log($"German vocabulary: {vocab.VocabSize} cased WordPiece tokens ({shape})");
        var randomGerman = "random:" + ModelShape.ConfigPath(shape);

        string? germanBert = null, pretrainNote = null;
        if (o.Rows.Contains("germanbert"))
        {
            var stage = new MaskedLMStage
            {
                Name = "germanbert-pretrain", Model = randomGerman, Tokenizer = shape, TrainFile = corpus.TrainFile, DevFile = corpus.DevFile,
                Minutes = o.PretrainMinutes, LearningRate = o.PretrainLearningRate, MaxTokens = o.PretrainMaxTokens, Seed = o.Seed,
            };
            var outcome = stage.Run(o.RunDir, o.Reuse, host);
            germanBert = outcome.Checkpoint;
            pretrainNote = string.Create(CultureInfo.InvariantCulture,
                $"decoder: GermanBERT, pre-trained from scratch on {corpus.TrainLines:N0} German lines ({outcome.CorpusTokens / 1e6:F2} M tokens, {Sources(corpus)}), {outcome.Budget}, lr {o.PretrainLearningRate}");
            host.Log($"germanbert-pretrain: {pretrainNote}");
        }

        var results = new List<TranslationResult>();
        foreach (var row in o.Rows)
        {
            var (name, model, note) = row switch
            {
                "germanbert" => ("MiniLM2GermanBERT", new ModelSection { Encoder = minilm, Decoder = germanBert }, $"encoder: MiniLM; {pretrainNote}"),
                "rnd" => ("MiniLM2RND", new ModelSection { Encoder = minilm, Decoder = randomGerman },
                    $"encoder: MiniLM; decoder: random, GermanBERT's shape and {vocab.VocabSize}-token German vocabulary"),
                _ => ("RND2RND", new ModelSection { Encoder = "random:" + ModelShape.ConfigPath(minilm), Decoder = randomGerman },
                    $"both random: encoder MiniLM's shape and vocabulary, decoder GermanBERT's shape and {vocab.VocabSize}-token German vocabulary"),
            };
            var options = new TranslationRowOptions
            {
                Name = name, Model = model, Train = train, Test = test, TestName = $"Multi30k en-de {Multi30kReader.Test2016}", Minutes = o.Minutes,
                LearningRate = o.LearningRate, NumBeams = o.NumBeams, Note = note, Seed = o.Seed, RunDir = Path.Combine(o.RunDir, row),
                ResultsDir = o.ResultsDir, ResultsFile = o.ResultsFile, Command = o.Command,
            };
            host.Log($"{name}: {note}; fine-tuning budget {o.Minutes:G4} min");
            results.Add(host.Run((progress, log) => TranslationRow.Run(options, progress, log)));
        }
        return results;
    }

    static string Sources(GermanCorpusInfo corpus) => string.Join(" + ", corpus.Sources.Select(s =>
        string.Create(CultureInfo.InvariantCulture, $"{s.Name} {s.Lines:N0}{(s.Copies > 1 ? $" x{s.Copies}" : "")}")));
}

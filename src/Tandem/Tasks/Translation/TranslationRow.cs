using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Tandem.Evaluation;
using Tandem.Evaluation.Results;
using Tandem.Generation;
using Tandem.Modeling;
using Tandem.Pipelines;
using Tandem.Training;

namespace Tandem.Tasks.Translation;

/// <summary>One row of a translation experiment: the model, its data and its fine-tuning recipe.</summary>
public sealed record TranslationRowOptions
{
    /// <summary>The row's model name, e.g. <c>MiniLM2GermanBERT</c>.</summary>
    public required string Name { get; init; }
    /// <summary>The halves (and tokenizers) of the model.</summary>
    public required ModelSection Model { get; init; }
    /// <summary>Training pairs (source, reference).</summary>
    public required IReadOnlyList<TranslationPair> Train { get; init; }
    /// <summary>Test pairs, decoded once.</summary>
    public required IReadOnlyList<TranslationPair> Test { get; init; }
    /// <summary>The test set's name in the table, e.g. <c>Multi30k en-de test_2016_flickr</c>.</summary>
    public required string TestName { get; init; }
    /// <summary>Fine-tuning budget in minutes.</summary>
    public double Minutes { get; init; } = 30;
    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 1e-4;
    /// <summary>Label smoothing of the training loss.</summary>
    public double LabelSmoothing { get; init; } = 0.1;
    /// <summary>Moving average of the weights, tested at the end (0: off).</summary>
    public double EmaDecay { get; init; } = 0.995;
    /// <summary>Token budget of a batch.</summary>
    public int MaxTokens { get; init; } = 4096;
    /// <summary>Token limit of sources and targets (Multi30k's captions are about 12-14 words).</summary>
    public int MaxLength { get; init; } = 64;
    /// <summary>Beam width at test time.</summary>
    public int NumBeams { get; init; } = 4;
    /// <summary>fp32 or bf16.</summary>
    public string Precision { get; init; } = "bf16";
    /// <summary>Said after the fine-tuning recipe in the row's "trained on" cell: how each half was pre-trained.</summary>
    public string Note { get; init; } = "";
    /// <summary>Random seed.</summary>
    public int Seed { get; init; } = 1;
    /// <summary>The row's run folder (its data, checkpoint, predictions).</summary>
    public required string RunDir { get; init; }
    /// <summary>Folder of result rows.</summary>
    public string ResultsDir { get; init; } = "docs/results";
    /// <summary>The generated results table.</summary>
    public string ResultsFile { get; init; } = "docs/RESULTS.md";
    /// <summary>The command line, recorded in the row.</summary>
    public string Command { get; init; } = "";
}

/// <summary>What one translation row measured: its row, the checkpoint tested and the outputs.</summary>
public sealed record TranslationResult(ResultRow Row, string Checkpoint, BleuScore Bleu, IReadOnlyList<string> Hypotheses);

/// <summary>
/// Fine-tunes a model on the training pairs within a time budget (no model selection: the last checkpoint, with the
/// weight average), translates the test sources once with beam search, detokenizes (<see cref="TextDetokenizer"/>) and
/// scores against the raw references with sacreBLEU-style BLEU (<see cref="CorpusBleu"/>), cased and lower-cased;
/// saves the row and regenerates the results table.
/// </summary>
public static class TranslationRow
{
    /// <summary>Runs the row.</summary>
    public static TranslationResult Run(TranslationRowOptions o, IProgress<TrainProgress>? progress = null, Action<string>? log = null)
    {
        log ??= _ => { };
        if (Directory.Exists(o.RunDir)) Directory.Delete(o.RunDir, recursive: true);
        var trainFile = Path.Combine(o.RunDir, "data", "train.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(trainFile)!);
        AtomicFile.WriteAllText(trainFile, string.Concat(o.Train.Select(p => new JsonObject { ["source"] = p.Source, ["target"] = p.Target }.ToJsonString() + "\n")));
        var config = new TrainConfig
        {
            Seed = o.Seed,
            Precision = o.Precision,
            Model = o.Model,
            Data = new DataSection { Splits = new() { ["train"] = trainFile }, MaxSourceLength = o.MaxLength, MaxTargetLength = o.MaxLength },
            Optimizer = new OptimizerSection { Lr = o.LearningRate, EmaDecay = o.EmaDecay, LabelSmoothing = o.LabelSmoothing },
            Schedule = new ScheduleSection { MaxSteps = 1_000_000, MaxMinutes = o.Minutes, WarmupSteps = 100, Decay = "linear" },
            Batching = new BatchingSection { MaxTokens = o.MaxTokens },
            Output = new OutputSection { Dir = o.RunDir, KeepLast = 1, KeepBest = 0, LogEverySteps = 20 },
        };
        log($"{o.Name}: fine-tuning on {o.Train.Count} pairs for {o.Minutes:G4} min");
        var clock = Stopwatch.StartNew();
        var trained = Trainer.Run(config, new TrainOptions { Progress = progress, Log = log });
        double trainSeconds = clock.Elapsed.TotalSeconds;
        var checkpoint = trained.LastCheckpoint ?? throw new TandemException($"{o.RunDir}: training wrote no checkpoint");

        log($"{o.Name}: translating {o.Test.Count} test sentences with {checkpoint} (beam {o.NumBeams})");
        var testClock = Stopwatch.StartNew();
        List<string> hypotheses;
        using (Autocast.Enter(Autocast.Parse(o.Precision))) hypotheses = Translate(checkpoint, o.Test.Select(p => p.Source).ToList(), o.NumBeams, o.MaxLength);
        double testSeconds = testClock.Elapsed.TotalSeconds;
        var references = o.Test.Select(p => p.Target).ToList();
        var cased = CorpusBleu.Compute(hypotheses, [references]);
        var lower = CorpusBleu.Compute(hypotheses, [references], lowercase: true);
        WritePredictions(Path.Combine(o.RunDir, "test_predictions.tsv"), o.Test, hypotheses);
        log($"{o.Name}: {cased} ({cased.Signature}); lower-cased {lower.Score:F2}");

        var row = new ResultRow
        {
            Model = o.Name,
            Split = o.TestName,
            Examples = hypotheses.Count,
            Bleu = Math.Round(cased.Score, 2),
            BleuLowercase = Math.Round(lower.Score, 2),
            BleuSignature = cased.Signature,
            Training = Describe(o, hypotheses.Count),
            Steps = trained.Steps,
            WallSeconds = Math.Round(trainSeconds, 1),
            TestSeconds = Math.Round(testSeconds, 1),
            Machine = MachineInfo.Describe(),
            Date = DateTimeOffset.UtcNow,
            Command = o.Command,
        };
        row.Save(o.ResultsDir);
        ResultsTable.Write(o.ResultsDir, o.ResultsFile);
        return new TranslationResult(row, checkpoint, cased, hypotheses);
    }

    /// <summary>Beam-search translations of <paramref name="sources"/>, detokenized.</summary>
    public static List<string> Translate(string checkpoint, IReadOnlyList<string> sources, int numBeams, int maxLength)
    {
        using var pipeline = Seq2SeqPipeline.Load(checkpoint);
        var config = GenerationConfig.Parse(pipeline.GenerationConfig.ToJson());
        config.NumBeams = numBeams;
        config.MaxLength = maxLength;
        return pipeline.Generate(sources, config, batchSize: 16)
            .Select(item => item.Error is null ? TextDetokenizer.Detokenize(item.Texts[0]) : throw new TandemException($"test sentence {item.Index + 1}: {item.Error}"))
            .ToList();
    }

    /// <summary>The row's "trained on" cell: data, recipe, test decoding, and the halves' pre-training.</summary>
    static string Describe(TranslationRowOptions o, int tested) => string.Create(CultureInfo.InvariantCulture,
        $"Multi30k train ({o.Train.Count:N0} pairs), {o.Minutes:G4} min fine-tuning budget, last checkpoint, EMA {o.EmaDecay}, label smoothing {o.LabelSmoothing}, lr {o.LearningRate}; beam {o.NumBeams}, max length {o.MaxLength} tokens, {tested} test sentences")
        + (o.Note.Length > 0 ? "; " + o.Note : "");

    static void WritePredictions(string path, IReadOnlyList<TranslationPair> test, IReadOnlyList<string> hypotheses)
    {
        var sb = new StringBuilder("source\treference\ttranslation\n");
        for (int i = 0; i < test.Count; i++) sb.Append(test[i].Source).Append('\t').Append(test[i].Target).Append('\t').Append(hypotheses[i]).Append('\n');
        AtomicFile.WriteAllText(path, sb.ToString());
    }
}

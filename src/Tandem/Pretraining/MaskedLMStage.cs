using System.Globalization;
using Tandem.Tokenization;
using Tandem.Training;

namespace Tandem.Pretraining;

/// <summary>One masked-LM pre-training of an experiment: a model (a folder, or <c>random:&lt;config.json&gt;</c> to start
/// from scratch) trained on a corpus (one text a line) within a time budget.</summary>
public sealed record MaskedLMStage
{
    /// <summary>The stage's name, also its run folder's name, e.g. <c>sqlbert-pretrain</c>.</summary>
    public required string Name { get; init; }
    /// <summary>The model trained: a checkpoint folder or <c>random:&lt;config.json&gt;</c>.</summary>
    public required string Model { get; init; }
    /// <summary>The tokenizer folder.</summary>
    public required string Tokenizer { get; init; }
    /// <summary>The corpus, one text a line.</summary>
    public required string TrainFile { get; init; }
    /// <summary>Held-out texts for the stage's evaluation.</summary>
    public required string DevFile { get; init; }
    /// <summary>Time budget in minutes.</summary>
    public double Minutes { get; init; }
    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 5e-4;
    /// <summary>Token budget of a batch (blocks x block length).</summary>
    public int MaxTokens { get; init; } = 4096;
    /// <summary>Random seed.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Trains the stage in <paramref name="parentDir"/>/<see cref="Name"/>, or, with <paramref name="reuse"/>, keeps the
    /// checkpoint an earlier run left there; returns the last checkpoint and its budget.</summary>
    public MaskedLMOutcome Run(string parentDir, bool reuse, ITrainingHost host)
    {
        var runDir = Path.Combine(parentDir, Name);
        string? checkpoint = reuse && Directory.Exists(runDir) ? new CheckpointStore(runDir).Latest() : null;
        if (checkpoint is not null) host.Log($"{Name}: reusing {checkpoint}");
        else
        {
            if (Directory.Exists(runDir)) Directory.Delete(runDir, recursive: true);
            var config = new TrainConfig
            {
                Seed = Seed,
                Threads = 0,
                Precision = "bf16",
                Objective = new ObjectiveSection { Type = ObjectiveSection.MaskedLM, BlockSize = 128, MlmProbability = 0.15 },
                Model = new ModelSection { Encoder = Model, Tokenizer = Tokenizer },
                Data = new DataSection { Splits = new() { ["train"] = TrainFile, ["dev"] = DevFile } },
                Optimizer = new OptimizerSection { Lr = LearningRate, WeightDecay = 0.01 },
                Schedule = new ScheduleSection { MaxSteps = 1_000_000, MaxMinutes = Minutes, WarmupSteps = 50, Decay = "linear" },
                Batching = new BatchingSection { MaxTokens = MaxTokens },
                Evaluation = new EvaluationSection { EverySteps = 200, Metric = "masked_accuracy", MaxExamples = 64 },
                Output = new OutputSection { Dir = runDir, KeepLast = 1, KeepBest = 0, LogEverySteps = 20 },
            };
            host.Log($"{Name}: masked-LM training of {Model} on {TrainFile}, {Minutes:G4} min");
            checkpoint = host.Run((progress, log) => Trainer.Run(config, new TrainOptions { Progress = progress, Log = log }).LastCheckpoint
                ?? throw new TandemException($"{runDir}: pre-training wrote no checkpoint"));
        }
        var state = TrainerState.Load(checkpoint);
        var tokenizer = AutoTokenizer.FromPretrained(Tokenizer);
        long tokens = File.ReadLines(TrainFile).Sum(l => (long)tokenizer.EncodeToIds(l).Count);
        return new MaskedLMOutcome(checkpoint, state.Step, MaxTokens, state.ElapsedSeconds, tokens);
    }
}

/// <summary>What a <see cref="MaskedLMStage"/> produced, for the rows that use it.</summary>
/// <param name="Checkpoint">The last checkpoint (a masked LM with its tokenizer).</param>
/// <param name="Steps">Optimiser steps trained.</param>
/// <param name="TokensPerStep">The batch's token budget.</param>
/// <param name="Seconds">Wall-clock seconds of training.</param>
/// <param name="CorpusTokens">Tokens in the corpus (its tokenizer's count).</param>
public sealed record MaskedLMOutcome(string Checkpoint, int Steps, int TokensPerStep, double Seconds, long CorpusTokens)
{
    /// <summary>The budget as rows state it, e.g. <c>1,200 steps of 4096 tokens in 20.0 min</c>.</summary>
    public string Budget => string.Create(CultureInfo.InvariantCulture, $"{Steps} steps of {TokensPerStep} tokens in {Seconds / 60:F1} min");
}

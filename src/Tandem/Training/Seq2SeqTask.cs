using Tandem.Evaluation;
using Tandem.Modeling;
using Tandem.Tokenization;
using Tandem.Training.Data;
using static TorchSharp.torch;

namespace Tandem.Training;

/// <summary>Seq2seq fine-tuning as an <see cref="ITrainingTask"/>: teacher-forced loss on (source, target) pairs,
/// evaluation by loss and generation.</summary>
internal sealed class Seq2SeqTask(TrainConfig config, ISeq2SeqModel model, Seq2SeqTokenizers tokenizers, RunData data, IReadOnlySet<string> newKeys)
    : ITrainingTask
{
    /// <summary>Builds the model the config describes (or the one in <paramref name="resumeDir"/>) and loads the data.</summary>
    public static Seq2SeqTask Create(TrainConfig config, string? resumeDir, IEnumerable<string>? resumedNewKeys, CheckpointStore store, string runDir, Action<string> log)
    {
        var setup = ModelSetup.Load(config.Model, resumeDir, resumedNewKeys);
        foreach (var line in setup.Report) log(line);
        try
        {
            setup.Model.TokenizerSource = store.RunTokenizer(setup.Model.TokenizerSource);
            var data = RunData.Load(config, setup.Tokenizers, runDir, log);
            return new Seq2SeqTask(config, setup.Model, setup.Tokenizers, data, setup.NewKeys);
        }
        catch { setup.Model.Dispose(); throw; }
    }

    public nn.Module Module => model.Module;
    public IReadOnlySet<string> NewKeys => newKeys;
    public bool HasDev => data.Dev is not null;

    public IReadOnlyList<int[]> Batches(int epoch) => data.Batches(config, epoch);

    public long Tokens(int[] rows) => rows.Sum(i => (long)data.Train[i].Labels.Length);

    public Tensor Loss(int[] rows, int epoch, int index)
    {
        var batch = Seq2SeqBatch.Collate(data.Train, rows, tokenizers.SourcePadId);
        var output = model.Forward(new Seq2SeqInput
        {
            InputIds = batch.InputIds, AttentionMask = batch.AttentionMask, Labels = batch.Labels,
            LabelSmoothing = config.Optimizer.LabelSmoothing,
        });
        return output.Loss!;
    }

    public EvaluationResult Evaluate()
    {
        var e = config.Evaluation;
        return Evaluator.Evaluate(model, tokenizers, data.Dev!, data.DevReferences!, new EvaluateOptions
        {
            Generate = e.Generate, Generation = Trainer.EvalGeneration(model, e), MaxTokens = config.Batching.MaxTokens,
            MaxExamples = e.MaxExamples, Lowercase = e.Lowercase,
        });
    }

    public void SaveModel(string dir) => model.SavePretrained(dir);

    public void Dispose() => model.Dispose();
}

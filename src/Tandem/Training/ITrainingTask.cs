using Tandem.Evaluation;
using static TorchSharp.torch;

namespace Tandem.Training;

/// <summary>
/// What <see cref="TrainingLoop"/> needs of a training objective (seq2seq fine-tuning, masked-LM pre-training): the
/// module, the batches of an epoch, the loss of one batch, evaluation, and the model folder a checkpoint holds. The
/// loop does the rest (accumulation, clipping, schedule, averaging, checkpoints, resume, metrics).
/// </summary>
internal interface ITrainingTask : IDisposable
{
    /// <summary>The module holding every parameter.</summary>
    nn.Module Module { get; }

    /// <summary>Parameter names not taken from a checkpoint (their learning-rate group).</summary>
    IReadOnlySet<string> NewKeys { get; }

    /// <summary>Whether there is an evaluation split.</summary>
    bool HasDev { get; }

    /// <summary>The batches of epoch <paramref name="epoch"/> (rows of the training data), deterministic given the seed.</summary>
    IReadOnlyList<int[]> Batches(int epoch);

    /// <summary>Target tokens of a batch: the weight of its loss within an accumulated step, and the tokens/s count.</summary>
    long Tokens(int[] rows);

    /// <summary>The mean loss of batch <paramref name="index"/> of <paramref name="epoch"/>, with its graph; its tensors
    /// live in the caller's dispose scope. Anything random in it is drawn from (seed, epoch, index), so a resumed
    /// run computes exactly what the uninterrupted one did.</summary>
    Tensor Loss(int[] rows, int epoch, int index);

    /// <summary>Evaluates on the evaluation split (the module is in eval mode only for the call).</summary>
    EvaluationResult Evaluate();

    /// <summary>Writes the model folder (config, weights, tokenizer files) of a checkpoint into <paramref name="dir"/>.</summary>
    void SaveModel(string dir);
}

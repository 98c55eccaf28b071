using TorchSharp;
using Tandem.Generation;

namespace Tandem.Modeling;

/// <summary>
/// What training, evaluation and the CLI need of a sequence-to-sequence model, whatever its architecture
/// (an encoder-decoder pair, or one prefix-LM stack): teacher-forced loss, generation, saving.
/// </summary>
public interface ISeq2SeqModel : IGenerativeModel, IDisposable
{
    /// <summary>The module holding every parameter (for optimisers, <c>train()</c>/<c>eval()</c>, <c>to(device)</c>).</summary>
    torch.nn.Module Module { get; }

    /// <summary>Teacher-forced forward pass; computes the loss when labels are given.</summary>
    Seq2SeqOutput Forward(Seq2SeqInput input);

    /// <summary>Rows of the (target) embedding matrix: every token id must be below it.</summary>
    int VocabSize { get; }

    /// <summary>Longest source the model reads (its encoder's position embeddings).</summary>
    int MaxSourceLength { get; }

    /// <summary>The special ids generation and the loss use.</summary>
    SpecialTokenIds SpecialIds { get; }

    /// <summary>Default generation options: the folder's <c>generation_config.json</c>, else made from the model's
    /// special ids, as transformers does.</summary>
    GenerationConfig GenerationConfig { get; set; }

    /// <summary>The folder whose tokenizer files belong to this model; saving copies them.</summary>
    string? TokenizerSource { get; set; }

    /// <summary>Writes a checkpoint folder (config, weights, tokenizer files) that <see cref="Seq2SeqModels.FromPretrained"/> reads back.</summary>
    void SavePretrained(string dir, bool safeSerialization = true);
}

/// <summary>The special ids of a seq2seq model.</summary>
/// <param name="DecoderStart">First token of every target (BERT2BERT: [CLS]).</param>
/// <param name="Pad">Padding id.</param>
/// <param name="Eos">End-of-sequence id (BERT2BERT: [SEP]).</param>
public sealed record SpecialTokenIds(int? DecoderStart, int? Pad, int? Eos);

using TorchSharp;
using Tandem.Checkpoints;
using Tandem.Modeling;
using Tandem.Models.Bert;
using static TorchSharp.torch;

namespace Tandem.Models.Roberta;

/// <summary>
/// RoBERTa with a language-modelling head, as transformers' <c>RobertaForCausalLM</c>: <c>roberta</c> (no pooler)
/// and <c>lm_head</c>, the output layer tied to the word embeddings. With <see cref="BertConfig.IsDecoder"/> its
/// self-attention is causal and with <see cref="BertConfig.AddCrossAttention"/> every layer attends to an encoder:
/// the decoder half of RoBERTa2RoBERTa and RoBERTaShare. Without <see cref="BertConfig.IsDecoder"/> it is
/// transformers' <c>RobertaForMaskedLM</c> (the same modules and keys): the model of masked-LM pre-training.
/// </summary>
public sealed class RobertaForCausalLM : nn.Module, ICausalDecoder, IMaskedLM
{
#pragma warning disable IDE1006 // names are Hugging Face checkpoint keys
    readonly RobertaModel roberta;
    readonly RobertaLMHead lm_head;
#pragma warning restore IDE1006

    /// <summary>The configuration this model was built from.</summary>
    public RobertaConfig Config { get; }

    /// <summary>Builds a randomly initialised model from <paramref name="config"/>.</summary>
    /// <param name="config">The architecture; set <c>is_decoder</c> and <c>add_cross_attention</c> for a seq2seq decoder.</param>
    public RobertaForCausalLM(RobertaConfig config) : base("RobertaForCausalLM")
    {
        Config = config;
        roberta = new RobertaModel(config, addPoolingLayer: false);
        lm_head = new RobertaLMHead(config, config.TieWordEmbeddings ? roberta.WordEmbeddings : null);
        RegisterComponents();
    }

    /// <summary>Loads a checkpoint folder strictly (a <c>RobertaForCausalLM</c> or <c>RobertaForMaskedLM</c> checkpoint).</summary>
    public static RobertaForCausalLM FromPretrained(string dir)
    {
        var model = new RobertaForCausalLM(RobertaConfig.Load(dir));
        using var weights = StateDict.FromFolder(dir);
        CheckpointLoader.Load(model, weights, dir, new LoadOptions { TargetPrefixes = ["roberta."] }).ThrowIfIncomplete(dir);
        return model;
    }

    /// <summary>Writes <c>config.json</c> and <c>model.safetensors</c> into <paramref name="dir"/>.</summary>
    public void SavePretrained(string dir)
    {
        Config.Architectures ??= ["RobertaForCausalLM"];
        Config.Save(dir);
        CheckpointWriter.Save(this, dir);
    }

    /// <summary>Next-token logits <c>[batch, len, vocab]</c> for <paramref name="input"/>.</summary>
    /// <param name="input">Token ids and, for a seq2seq decoder, encoder states, masks and the cache.</param>
    /// <param name="transposedOutputWeight">Optional copy from <see cref="TransposedOutputWeight"/> (decoding).</param>
    public Tensor forward(BertInput input, Tensor? transposedOutputWeight = null)
    {
        using var scope = NewDisposeScope();
        using var output = roberta.forward(input);
        return lm_head.forward(output.LastHiddenState, transposedOutputWeight).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public Tensor MaskedLogits(Tensor inputIds, Tensor selected)
    {
        using var scope = NewDisposeScope();
        using var output = roberta.forward(new BertInput { InputIds = inputIds });
        var picked = IMaskedLM.Select(output.LastHiddenState, selected);                          // [n, hidden]
        return lm_head.forward(picked).MoveToOuterDisposeScope();                                // [n, vocab]
    }

    IModelConfig IMaskedLM.Config => Config;

    /// <inheritdoc />
    public Tensor Forward(DecoderInput input, Tensor? transposedOutputWeight = null) =>
        forward(BertInput.From(input), transposedOutputWeight);

    /// <inheritdoc />
    public Tensor TransposedOutputWeight() => lm_head.TransposedOutputWeight();

    /// <inheritdoc />
    public nn.Module Module => this;

    /// <inheritdoc />
    public nn.Module Body => roberta;

    /// <inheritdoc />
    public long HiddenSize => Config.HiddenSize;

    /// <inheritdoc />
    public int VocabSize => Config.VocabSize;

    /// <inheritdoc />
    public int NumLayers => Config.NumHiddenLayers;

    /// <inheritdoc />
    public int MaxPositions => Config.MaxPositions;
}

using TorchSharp;
using TorchSharp.Modules;
using Linear = Tandem.Modeling.Linear;
using Tandem.Checkpoints;
using Tandem.Modeling;
using static TorchSharp.torch;

namespace Tandem.Models.Bert;

/// <summary>The prediction head <c>cls.predictions</c>: transform (dense, activation, LayerNorm), then the output
/// layer <c>decoder</c> (tied to the word embeddings) with <c>bias</c> (the same tensor as <c>decoder.bias</c>).</summary>
internal sealed class BertLMPredictionHead : nn.Module
{
    sealed class Transform : nn.Module
    {
#pragma warning disable IDE1006 // names are Hugging Face checkpoint keys
        internal readonly Linear dense;
        internal readonly LayerNorm LayerNorm;
#pragma warning restore IDE1006
        public Transform(BertConfig c) : base("transform")
        {
            dense = new Linear(c.HiddenSize, c.HiddenSize);
            LayerNorm = nn.LayerNorm(c.HiddenSize, eps: c.LayerNormEps);
            RegisterComponents();
        }
    }

#pragma warning disable IDE1006 // names are Hugging Face checkpoint keys
    readonly Transform transform;
    readonly Linear decoder;
    readonly Parameter bias;
#pragma warning restore IDE1006
    readonly string _act;

    public BertLMPredictionHead(BertConfig config, Parameter? tiedWeight) : base("predictions")
    {
        _act = config.HiddenAct;
        transform = new Transform(config);
        Initialization.Apply(transform, config.InitializerRange);
        bias = new Parameter(zeros(config.VocabSize));
        decoder = OutputLayer.Create(tiedWeight, bias, config.VocabSize, config.HiddenSize, config.InitializerRange);
        RegisterComponents();
    }

    /// <summary>The output weight transposed for decoding (see <see cref="OutputLayer.Transposed"/>); caller-owned.</summary>
    public Tensor TransposedOutputWeight() => OutputLayer.Transposed(decoder);

    /// <summary>Logits <c>[batch, len, vocab]</c>; with <paramref name="transposedWeight"/> (from
    /// <see cref="TransposedOutputWeight"/>) the output product reads that copy instead of the parameter.</summary>
    public Tensor forward(Tensor hidden, Tensor? transposedWeight = null)
    {
        using var scope = NewDisposeScope();
        var h = transform.LayerNorm.forward(Autocast.Float(Activations.Apply(_act, transform.dense.forward(hidden))));
        return OutputLayer.Logits(decoder, h, transposedWeight).MoveToOuterDisposeScope();     // [batch, len, vocab]
    }
}

/// <summary>
/// BERT with a language-modelling head, as transformers' <c>BertLMHeadModel</c>: the decoder half of a BERT2BERT
/// model (<c>bert</c> without pooler + <c>cls.predictions</c>). Without <see cref="BertConfig.IsDecoder"/> it is
/// transformers' <c>BertForMaskedLM</c> (the same modules and keys). Built from an encoder-only checkpoint it gets a
/// newly initialised head and, with <see cref="BertConfig.AddCrossAttention"/>, new cross-attention blocks.
/// </summary>
public sealed class BertLMHeadModel : nn.Module, ICausalDecoder, IMaskedLM
{
    sealed class OnlyMLMHead : nn.Module
    {
#pragma warning disable IDE1006
        internal readonly BertLMPredictionHead predictions;
#pragma warning restore IDE1006
        public OnlyMLMHead(BertConfig c, Parameter? tied) : base("cls")
        {
            predictions = new BertLMPredictionHead(c, tied);
            RegisterComponents();
        }
    }

#pragma warning disable IDE1006 // names are Hugging Face checkpoint keys
    readonly BertModel bert;
    readonly OnlyMLMHead cls;
#pragma warning restore IDE1006

    /// <summary>The configuration this model was built from.</summary>
    public BertConfig Config { get; }

    /// <summary>The underlying BERT (no pooler).</summary>
    public BertModel Bert => bert;

    /// <summary>Builds a randomly initialised model from <paramref name="config"/>.</summary>
    /// <param name="config">The architecture; set <c>is_decoder</c> and <c>add_cross_attention</c> for a seq2seq decoder.</param>
    /// <param name="encoderHiddenSize">Width of the encoder states cross-attention reads; defaults to the hidden size.</param>
    public BertLMHeadModel(BertConfig config, long encoderHiddenSize = 0) : base("BertLMHeadModel")
    {
        Config = config;
        bert = new BertModel(config, addPoolingLayer: false, encoderHiddenSize);
        cls = new OnlyMLMHead(config, config.TieWordEmbeddings ? bert.WordEmbeddings : null);
        RegisterComponents();
    }

    /// <summary>Loads a checkpoint folder strictly (a <c>BertLMHeadModel</c> or <c>BertForMaskedLM</c> checkpoint).</summary>
    public static BertLMHeadModel FromPretrained(string dir)
    {
        var model = new BertLMHeadModel(BertConfig.Load(dir));
        using var weights = StateDict.FromFolder(dir);
        CheckpointLoader.Load(model, weights, dir, new LoadOptions { TargetPrefixes = ["bert."] }).ThrowIfIncomplete(dir);
        return model;
    }

    /// <summary>Writes <c>config.json</c> and <c>model.safetensors</c> into <paramref name="dir"/>.</summary>
    public void SavePretrained(string dir)
    {
        Config.Architectures ??= ["BertLMHeadModel"];
        Config.Save(dir);
        CheckpointWriter.Save(this, dir);
    }

    /// <summary>Next-token logits <c>[batch, len, vocab]</c> for <paramref name="input"/>.</summary>
    /// <param name="input">Token ids and, for a seq2seq decoder, encoder states, masks and the cache.</param>
    /// <param name="transposedOutputWeight">Optional copy from <see cref="TransposedOutputWeight"/> (decoding).</param>
    public Tensor forward(BertInput input, Tensor? transposedOutputWeight = null)
    {
        using var scope = NewDisposeScope();
        using var output = bert.forward(input);
        return cls.predictions.forward(output.LastHiddenState, transposedOutputWeight).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public Tensor MaskedLogits(Tensor inputIds, Tensor selected)
    {
        using var scope = NewDisposeScope();
        using var output = bert.forward(new BertInput { InputIds = inputIds });
        var picked = IMaskedLM.Select(output.LastHiddenState, selected);                          // [n, hidden]
        return cls.predictions.forward(picked).MoveToOuterDisposeScope();                        // [n, vocab]
    }

    IModelConfig IMaskedLM.Config => Config;

    /// <summary>The output weight transposed for decoding (see <see cref="BertLMPredictionHead.TransposedOutputWeight"/>); caller-owned.</summary>
    public Tensor TransposedOutputWeight() => cls.predictions.TransposedOutputWeight();

    /// <inheritdoc />
    public Tensor Forward(DecoderInput input, Tensor? transposedOutputWeight = null) =>
        forward(BertInput.From(input), transposedOutputWeight);

    /// <inheritdoc />
    public nn.Module Module => this;

    /// <inheritdoc />
    public nn.Module Body => bert;

    /// <inheritdoc />
    public long HiddenSize => Config.HiddenSize;

    /// <inheritdoc />
    public int VocabSize => Config.VocabSize;

    /// <inheritdoc />
    public int NumLayers => Config.NumHiddenLayers;

    /// <inheritdoc />
    public int MaxPositions => Config.MaxPositions;
}

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
        Parameter weight;
        if (tiedWeight is not null) weight = tiedWeight;
        else
        {
            weight = new Parameter(empty(config.VocabSize, config.HiddenSize));
            using (no_grad()) weight.normal_(0, config.InitializerRange);
        }
        decoder = new Linear(weight, bias);
        RegisterComponents();
    }

    /// <summary>
    /// A copy of the output weight transposed to <c>[hidden, vocab]</c>, contiguous, in the matmul dtype in force
    /// (<see cref="Autocast"/>). Decoding sessions keep one for their lifetime: with a single row per step the
    /// product reads the 30k x hidden matrix once per token, and libtorch reads it about twice as fast in this
    /// layout as through <c>linear</c>'s transposed view. The caller owns (disposes) it.
    /// </summary>
    public Tensor TransposedOutputWeight()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var copy = decoder.weight.detach().t().contiguous();                                    // [hidden, vocab]
        if (Autocast.Dtype is { } dt) copy = copy.to(dt);
        return copy.MoveToOuterDisposeScope();
    }

    /// <summary>Logits <c>[batch, len, vocab]</c>; with <paramref name="transposedWeight"/> (from
    /// <see cref="TransposedOutputWeight"/>) the output product reads that copy instead of the parameter.</summary>
    public Tensor forward(Tensor hidden, Tensor? transposedWeight = null)
    {
        using var scope = NewDisposeScope();
        var h = transform.LayerNorm.forward(Autocast.Float(Activations.Apply(_act, transform.dense.forward(hidden))));
        if (transposedWeight is null) return decoder.forward(h).MoveToOuterDisposeScope();        // [batch, len, vocab]
        var logits = h.to(transposedWeight.dtype).matmul(transposedWeight);                      // [batch, len, vocab]
        return logits.add_(bias.to(transposedWeight.dtype)).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// BERT with a language-modelling head, as transformers' <c>BertLMHeadModel</c>: the decoder half of a BERT2BERT
/// model (<c>bert</c> without pooler + <c>cls.predictions</c>). Built from an encoder-only checkpoint it gets a
/// newly initialised head and, with <see cref="BertConfig.AddCrossAttention"/>, new cross-attention blocks.
/// </summary>
public sealed class BertLMHeadModel : nn.Module
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

    /// <summary>Masked-LM logits <c>[n, vocab]</c> at the <paramref name="selected"/> positions only (a bool mask
    /// <c>[batch, len]</c> with n true): a masked LM's loss reads no other position, so the output layer, the largest
    /// product, runs on about 15 % of them. The values equal <see cref="forward"/>'s at those positions.</summary>
    public Tensor MaskedLogits(BertInput input, Tensor selected)
    {
        using var scope = NewDisposeScope();
        using var output = bert.forward(input);
        var h = output.LastHiddenState;                                                          // [batch, len, hidden]
        var picked = h.masked_select(selected.unsqueeze(-1)).reshape(-1, h.shape[^1]);           // [n, hidden]
        return cls.predictions.forward(picked).MoveToOuterDisposeScope();                        // [n, vocab]
    }

    /// <summary>The output weight transposed for decoding (see <see cref="BertLMPredictionHead.TransposedOutputWeight"/>); caller-owned.</summary>
    internal Tensor TransposedOutputWeight() => cls.predictions.TransposedOutputWeight();
}

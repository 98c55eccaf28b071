using TorchSharp;
using Tandem.Checkpoints;
using Tandem.Modeling;
using static TorchSharp.torch;

namespace Tandem.Models.Bert;

/// <summary>Inputs of <see cref="BertModel.forward(BertInput)"/>.</summary>
public sealed class BertInput
{
    /// <summary>Token ids <c>[batch, len]</c>, int64.</summary>
    public required Tensor InputIds { get; init; }
    /// <summary>2-D padding mask <c>[batch, pastLen + len]</c> (1 = token) or a 3-D mask <c>[batch, len, pastLen + len]</c>
    /// used as given. Null means every position is visible (plus the causal mask in decoder mode).</summary>
    public Tensor? AttentionMask { get; init; }
    /// <summary>Segment ids <c>[batch, len]</c>; zeros when null.</summary>
    public Tensor? TokenTypeIds { get; init; }
    /// <summary>Encoder output <c>[batch, srcLen, encHidden]</c> for cross-attention (decoders only).</summary>
    public Tensor? EncoderHiddenStates { get; init; }
    /// <summary>Encoder padding mask <c>[batch, srcLen]</c>.</summary>
    public Tensor? EncoderAttentionMask { get; init; }
    /// <summary>Position ids <c>[batch, len]</c>; <c>pastLen ..</c> for every row when null. A prefix LM gives them
    /// so that each row's positions stay contiguous when sources of different lengths are padded.</summary>
    public Tensor? PositionIds { get; init; }
    /// <summary>Key/value cache for incremental decoding; updated in place.</summary>
    public KeyValueCache? Cache { get; init; }
    /// <summary>Also return the embeddings' output and every layer's (<see cref="BertOutput.HiddenStates"/>).</summary>
    public bool OutputHiddenStates { get; init; }

    /// <summary>The same input as a decoder's (no segment ids).</summary>
    public static BertInput From(DecoderInput input) => new()
    {
        InputIds = input.InputIds,
        AttentionMask = input.AttentionMask,
        EncoderHiddenStates = input.EncoderHiddenStates,
        EncoderAttentionMask = input.EncoderAttentionMask,
        PositionIds = input.PositionIds,
        Cache = input.Cache,
    };
}

/// <summary>Outputs of <see cref="BertModel"/>.</summary>
public sealed class BertOutput : IDisposable
{
    /// <summary>Hidden states of the last layer, <c>[batch, len, hidden]</c>.</summary>
    public required Tensor LastHiddenState { get; init; }
    /// <summary>The pooler's output <c>[batch, hidden]</c>, when the model has a pooler.</summary>
    public Tensor? PoolerOutput { get; init; }
    /// <summary>With <see cref="BertInput.OutputHiddenStates"/>: the embeddings' output, then each layer's
    /// (<c>num_hidden_layers + 1</c> tensors <c>[batch, len, hidden]</c>, the last one is <see cref="LastHiddenState"/>).</summary>
    public IReadOnlyList<Tensor>? HiddenStates { get; init; }

    /// <summary>Frees every tensor.</summary>
    public void Dispose()
    {
        LastHiddenState.Dispose();
        PoolerOutput?.Dispose();
        foreach (var h in HiddenStates ?? []) h.Dispose();
    }
}

/// <summary>
/// BERT as transformers defines it: embeddings, a stack of layers, and an optional pooler. In decoder mode
/// (<see cref="BertConfig.IsDecoder"/>) self-attention is causal, and with <see cref="BertConfig.AddCrossAttention"/>
/// every layer attends to an encoder's output. Parameter names are the checkpoint keys. Families with BERT's layers
/// and other position ids (RoBERTa) derive from it.
/// </summary>
public class BertModel : nn.Module, ITextEncoder
{
#pragma warning disable IDE1006 // names are Hugging Face checkpoint keys
    readonly BertEmbeddings embeddings;
    readonly BertEncoder encoder;
    readonly BertPooler? pooler;
#pragma warning restore IDE1006

    /// <summary>The configuration this model was built from.</summary>
    public BertConfig Config { get; }

    /// <summary>Builds a randomly initialised model (transformers' initialisation) from <paramref name="config"/>.</summary>
    /// <param name="config">The architecture.</param>
    /// <param name="addPoolingLayer">Whether to add the pooler (an LM-head decoder has none).</param>
    /// <param name="encoderHiddenSize">Width of the encoder states cross-attention reads; defaults to the hidden size.</param>
    public BertModel(BertConfig config, bool addPoolingLayer = true, long encoderHiddenSize = 0)
        : this("bert", config, addPoolingLayer, encoderHiddenSize) { }

    /// <summary>Builds the model under the root name <paramref name="name"/> (a derived family's own name).</summary>
    protected BertModel(string name, BertConfig config, bool addPoolingLayer, long encoderHiddenSize) : base(name)
    {
        config.Validate();
        if (config.AddCrossAttention && !config.IsDecoder)
            throw new TandemException("add_cross_attention requires is_decoder=true");
        Config = config;
        embeddings = new BertEmbeddings(config);
        encoder = new BertEncoder(config, encoderHiddenSize > 0 ? encoderHiddenSize : config.HiddenSize);
        pooler = addPoolingLayer ? new BertPooler(config) : null;
        RegisterComponents();
        Initialization.Apply(this, config.InitializerRange);
    }

    /// <summary>The word embedding matrix <c>[vocab, hidden]</c> (tied to an LM head's output layer).</summary>
    public TorchSharp.Modules.Parameter WordEmbeddings => embeddings.word_embeddings.weight;

    /// <summary>Loads a checkpoint folder (<c>config.json</c> + weights) strictly: keys with a <c>bert.</c> prefix,
    /// legacy <c>gamma</c>/<c>beta</c> names and unused buffers are accepted; LM/pre-training head weights are
    /// reported as unused; any other missing, unexpected or wrong-shaped tensor is an error listing them all.</summary>
    public static BertModel FromPretrained(string dir, LoadReport? report = null)
    {
        var config = BertConfig.Load(dir);
        var model = Initialization.BuildForStrictLoad(() => new BertModel(config));             // every weight is loaded next
        using var weights = StateDict.FromFolder(dir);
        var r = CheckpointLoader.Load(model, weights, dir, new LoadOptions { SourcePrefixes = ["bert."] });
        r.ThrowIfIncomplete(dir);
        report?.Merge(r);
        return model;
    }

    /// <summary>Writes <c>config.json</c> and <c>model.safetensors</c> into <paramref name="dir"/>.</summary>
    public void SavePretrained(string dir)
    {
        if (Config.Architectures is null) Config.Architectures = ["BertModel"];
        Config.Save(dir);
        CheckpointWriter.Save(this, dir);
    }

    /// <summary>Runs the model.</summary>
    public BertOutput forward(BertInput input)
    {
        using var scope = NewDisposeScope();
        var ids = input.InputIds;
        long past = input.Cache?.PastLength ?? 0;
        var hidden = embeddings.forward(ids, input.TokenTypeIds, past, input.PositionIds ?? PositionIds(ids, past)); // [batch, len, hidden]
        var dtype = hidden.dtype;
        Tensor? selfMask = null;
        if (input.AttentionMask is { } m)
            selfMask = AttentionMasks.SelfAttention(m, Config.IsDecoder, ids.size(1), past, dtype);
        else if (Config.IsDecoder && ids.size(1) > 1)
            selfMask = AttentionMasks.SelfAttention(ones(ids.size(0), past + ids.size(1), device: ids.device), true, ids.size(1), past, dtype);
        Tensor? crossMask = input.EncoderAttentionMask is { } em ? AttentionMasks.CrossAttention(em, dtype) : null;
        (selfMask, crossMask) = (MultiHeadAttention.ForProducts(selfMask), MultiHeadAttention.ForProducts(crossMask));
        var all = input.OutputHiddenStates ? new List<Tensor>() : null;
        var last = encoder.forward(hidden, selfMask, input.EncoderHiddenStates, crossMask, input.Cache, all);
        var pooled = pooler?.forward(last);
        return new BertOutput
        {
            LastHiddenState = last.MoveToOuterDisposeScope(),
            PoolerOutput = pooled?.MoveToOuterDisposeScope(),
            HiddenStates = all?.Select(h => h.clone().MoveToOuterDisposeScope()).ToList(),
        };
    }

    /// <summary>Position ids <c>[batch, len]</c> for <paramref name="inputIds"/> after <paramref name="pastLength"/>
    /// cached positions when the input gives none; null means <c>pastLength ..</c> for every row (BERT).</summary>
    protected virtual Tensor? PositionIds(Tensor inputIds, long pastLength) => null;

    /// <inheritdoc />
    public nn.Module Module => this;

    /// <inheritdoc />
    public long HiddenSize => Config.HiddenSize;

    /// <inheritdoc />
    public int MaxPositions => Config.MaxPositions;

    /// <inheritdoc />
    public Tensor Encode(Tensor inputIds, Tensor? attentionMask)
    {
        using var scope = NewDisposeScope();
        var output = forward(new BertInput { InputIds = inputIds, AttentionMask = attentionMask });   // the pooler's output is freed by the scope
        return output.LastHiddenState.MoveToOuterDisposeScope();
    }

    /// <summary>Runs the model on token ids with an optional 2-D/3-D mask and segment ids.</summary>
    public BertOutput forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? tokenTypeIds = null) =>
        forward(new BertInput { InputIds = inputIds, AttentionMask = attentionMask, TokenTypeIds = tokenTypeIds });
}

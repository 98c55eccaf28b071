using TorchSharp;
using Tandem.Generation;
using Tandem.Modeling;
using Tandem.Models.Bert;
using Tandem.Native;
using static TorchSharp.torch;

namespace Tandem.Models.PrefixLM;

/// <summary>
/// UniLM's sequence-to-sequence mode: ONE BERT stack with an LM head tied to its word embeddings
/// (<c>bert</c> + <c>cls.predictions</c>, the layout of transformers' <c>BertLMHeadModel</c>), reading
/// <c>[CLS] source [SEP] target [SEP]</c> with segment ids 0 (source) and 1 (target) under the prefix mask: source
/// tokens attend to the whole source, target tokens to the source, the earlier targets and themselves.
/// <para>
/// Left-to-right convention (the same in training and generation): the output at the source's last token
/// (its [SEP]) predicts the first target token, and the output at target token t predicts target token t+1, so the
/// target [SEP] is predicted by the last target word and is never an input. In <see cref="Seq2SeqInput"/> terms the
/// decoder inputs are the labels shifted right with <c>decoder_start_token_id</c> (the [SEP] id) first, and that
/// first token stands for the source's [SEP] already in place: only <c>DecoderInputIds[:, 1:]</c> is appended after
/// the source. Logits are <c>[batch, tgtLen, vocab]</c> aligned with the labels; the loss covers target tokens only.
/// </para>
/// Sources of different lengths are padded as the tokenizer gives them; each row gets its own contiguous position ids
/// and mask (see <see cref="PrefixLMInputs"/>), so a batched row computes what it computes alone.
/// </summary>
public sealed partial class PrefixLMModel : nn.Module, ISeq2SeqModel
{
    sealed class Head : nn.Module
    {
#pragma warning disable IDE1006 // names are Hugging Face checkpoint keys
        internal readonly BertLMPredictionHead predictions;
#pragma warning restore IDE1006
        public Head(BertConfig c, TorchSharp.Modules.Parameter? tied) : base("cls")
        {
            predictions = new BertLMPredictionHead(c, tied);
            RegisterComponents();
        }
    }

#pragma warning disable IDE1006 // names are Hugging Face checkpoint keys
    readonly BertModel bert;
    readonly Head cls;
#pragma warning restore IDE1006

    /// <summary>The configuration (BERT architecture and special ids).</summary>
    public PrefixLMConfig Config { get; }

    /// <summary>The shared Transformer stack (no pooler).</summary>
    public BertModel Bert => bert;

    /// <summary>Builds a randomly initialised model (transformers' BERT initialisation).</summary>
    public PrefixLMModel(PrefixLMConfig config) : base("PrefixLMModel")
    {
        Config = config;
        bert = new BertModel(config.Bert, addPoolingLayer: false);
        cls = new Head(config.Bert, config.Bert.TieWordEmbeddings ? bert.WordEmbeddings : null);
        RegisterComponents();
    }

    /// <summary>Teacher-forced forward pass; computes the loss when labels are given. <c>EncoderLastHiddenState</c>
    /// holds the hidden states of the source block <c>[batch, srcLen, hidden]</c>.</summary>
    public Seq2SeqOutput forward(Seq2SeqInput input)
    {
        using var scope = NewDisposeScope();
        var decoderInput = input.DecoderInputIds;
        var decoderMask = input.DecoderAttentionMask;
        if (decoderInput is null)
        {
            if (input.Labels is null) throw new TandemException("either decoder input ids or labels are required");
            var (start, pad) = Config.RequireSpecialIds();
            decoderInput = Seq2SeqLabels.ShiftTokensRight(input.Labels, pad, start);
            decoderMask ??= decoderInput.Ne(pad).to(ScalarType.Int64);
        }
        long tgtLen = decoderInput.size(1);
        if (tgtLen < 1) throw new TandemException("the decoder inputs must hold at least the start token");
        var sourceMask = input.AttentionMask ?? ones_like(input.InputIds);
        using var layout = PrefixLMInputs.Build(input.InputIds, sourceMask,
            decoderInput[.., 1..], decoderMask?[.., 1..]);                                           // targets after the start token
        var hidden = RunBert(layout, null);                                                          // [batch, src + tgt - 1, hidden]
        long batch = hidden.size(0), src = input.InputIds.size(1);
        var columns = cat([layout.LastSourceIndex.unsqueeze(1),
            Scalars.Arange(src, src + tgtLen - 1, device: hidden.device).unsqueeze(0).expand(batch, -1)], 1); // [batch, tgtLen]
        var logits = Predict(hidden, columns);                                                       // [batch, tgtLen, vocab]
        var loss = input.Labels is null ? null : Seq2SeqLabels.Loss(logits, input.Labels, input.LabelSmoothing);
        return new Seq2SeqOutput
        {
            Logits = logits.MoveToOuterDisposeScope(),
            Loss = loss?.MoveToOuterDisposeScope(),
            EncoderLastHiddenState = hidden[.., ..(int)src].MoveToOuterDisposeScope(),                // [batch, src, hidden]
        };
    }

    /// <summary>Runs <c>bert</c> on a laid-out input (with a cache: appends to it): <c>[batch, len, hidden]</c>.</summary>
    internal Tensor RunBert(PrefixLMInputs layout, KeyValueCache? cache) => RunBert(new BertInput
    {
        InputIds = layout.InputIds,
        TokenTypeIds = layout.TokenTypeIds,
        PositionIds = layout.PositionIds,
        AttentionMask = layout.AttentionMask,
        Cache = cache,
    });

    /// <summary>Runs <c>bert</c> on <paramref name="input"/> as given (segment ids, positions, 3-D mask, cache).</summary>
    internal Tensor RunBert(BertInput input) => bert.forward(input).LastHiddenState;              // no pooler: nothing else to free

    /// <summary>LM-head logits of the hidden states at <paramref name="columns"/> <c>[batch, n]</c>: <c>[batch, n, vocab]</c>
    /// (<paramref name="outputWeight"/>: a decoding session's copy from <see cref="TransposedOutputWeight"/>).</summary>
    internal Tensor Predict(Tensor hidden, Tensor columns, Tensor? outputWeight = null)
    {
        using var scope = NewDisposeScope();
        var picked = hidden.gather(1, columns.unsqueeze(-1).expand(-1, -1, hidden.size(2)));     // [batch, n, hidden]
        return cls.predictions.forward(picked, outputWeight).MoveToOuterDisposeScope();           // [batch, n, vocab]
    }

    /// <summary>The output weight transposed for decoding; the caller owns it.</summary>
    internal Tensor TransposedOutputWeight() => cls.predictions.TransposedOutputWeight();

    /// <inheritdoc />
    public nn.Module Module => this;

    /// <inheritdoc />
    public Seq2SeqOutput Forward(Seq2SeqInput input) => forward(input);

    /// <inheritdoc />
    public int VocabSize => Config.Bert.VocabSize;

    /// <summary>Source and target share the position embeddings; a quarter of them is kept for the target.</summary>
    public int MaxSourceLength => Config.Bert.MaxPositionEmbeddings * 3 / 4;

    /// <inheritdoc />
    public SpecialTokenIds SpecialIds => new(Config.DecoderStartTokenId, Config.PadTokenId, Config.EosTokenId);

    /// <inheritdoc />
    public GenerationConfig GenerationConfig
    {
        get => _generationConfig ??= GenerationConfig.FromSpecialIds(Config.DecoderStartTokenId, Config.PadTokenId, Config.EosTokenId);
        set => _generationConfig = value;
    }
    GenerationConfig? _generationConfig;

    /// <summary>Encodes the sources once (keys and values cached) and returns a session that appends target tokens.
    /// Generated sequences start with <c>decoder_start_token_id</c>, which stands for the source's last token.</summary>
    public IDecodingSession StartDecoding(Tensor inputIds, Tensor attentionMask, bool useCache = true) =>
        new PrefixLMSession(this, inputIds, attentionMask, useCache);

    internal int Layers => Config.Bert.NumHiddenLayers;
}

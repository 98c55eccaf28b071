using TorchSharp;
using TorchSharp.Modules;
using Linear = Tandem.Modeling.Linear;
using Tandem.Checkpoints;
using Tandem.Generation;
using Tandem.Modeling;
using Tandem.Native;
using static TorchSharp.torch;

namespace Tandem.Models.EncoderDecoder;

/// <summary>
/// A pre-trained encoder and a pre-trained decoder joined by cross-attention, as transformers'
/// <c>EncoderDecoderModel</c> (BERT2BERT, BERTShare, RoBERTa2RoBERTa, ...): <c>encoder</c> is an
/// <see cref="ITextEncoder"/>, <c>decoder</c> an <see cref="ICausalDecoder"/> with cross-attention, each of the family
/// its config names (<see cref="ModelFamilies"/>), and <c>enc_to_dec_proj</c> maps encoder states to the decoder's
/// width when the two differ. Folders move both ways between Tandem and transformers.
/// </summary>
public sealed partial class EncoderDecoderModel : nn.Module, ISeq2SeqModel
{
#pragma warning disable IDE1006 // names are Hugging Face checkpoint keys (RegisterComponents registers each field's module)
    readonly ITextEncoder encoder;
    readonly ICausalDecoder decoder;
    readonly Linear? enc_to_dec_proj;
#pragma warning restore IDE1006

    /// <summary>The configuration (both halves and the special ids).</summary>
    public EncoderDecoderConfig Config { get; }

    /// <summary>The encoder.</summary>
    public ITextEncoder Encoder => encoder;

    /// <summary>The decoder with its LM head.</summary>
    public ICausalDecoder Decoder => decoder;

    /// <summary>Builds a randomly initialised model; with <see cref="EncoderDecoderConfig.TieEncoderDecoder"/> the
    /// encoder shares every weight it has in common with the decoder.</summary>
    public EncoderDecoderModel(EncoderDecoderConfig config) : base("EncoderDecoderModel")
    {
        Config = config;
        config.Decoder.IsDecoder = true;
        config.Decoder.AddCrossAttention = true;
        var encoderFamily = ModelFamilies.Of(config.Encoder);
        encoder = encoderFamily.CreateEncoder?.Invoke(config.Encoder)
            ?? throw new TandemException($"a {encoderFamily.Name} model cannot be the encoder (model_type '{config.Encoder.ModelType}' has no encoder)");
        decoder = ModelFamilies.Of(config.Decoder).CreateDecoder(config.Decoder);
        long encHidden = config.Encoder.HiddenSize, decHidden = config.Decoder.HiddenSize;
        if (encHidden != decHidden)
        {
            enc_to_dec_proj = new Linear(encHidden, decHidden);
            using (no_grad())
            {
                enc_to_dec_proj.weight!.normal_(0, config.Decoder.InitializerRange);
                enc_to_dec_proj.bias!.zero_();
            }
        }
        RegisterComponents();
        if (config.TieEncoderDecoder) TieEncoderToDecoder();
    }

    /// <summary>BERTShare / RoBERTaShare: the encoder takes the decoder's parameter objects wherever the names and
    /// shapes agree (cross-attention, the LM head and the pooler stay separate). Returns the shared encoder keys.</summary>
    internal List<string> TieEncoderToDecoder()
    {
        if (ModelFamilies.Of(Config.Encoder) != ModelFamilies.Of(Config.Decoder))
            throw new TandemException($"tie_encoder_decoder needs encoder and decoder of one family (encoder '{Config.Encoder.ModelType}', decoder '{Config.Decoder.ModelType}')");
        if (Config.Encoder.HiddenSize != Config.Decoder.HiddenSize)
            throw new TandemException("tie_encoder_decoder needs encoder and decoder of the same hidden size");
        return ParameterTying.TieCommon(decoder.Body, encoder.Module);
    }

    /// <summary>Runs the encoder: <c>[batch, srcLen, decoderHidden]</c> (projected when widths differ).</summary>
    public Tensor Encode(Tensor inputIds, Tensor? attentionMask)
    {
        using var scope = NewDisposeScope();
        var states = encoder.Encode(inputIds, attentionMask);                                    // [batch, srcLen, encHidden]
        if (enc_to_dec_proj is not null) states = enc_to_dec_proj.forward(states);
        return states.MoveToOuterDisposeScope();
    }

    /// <summary>Teacher-forced forward pass; computes the loss when labels are given.</summary>
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
            // As transformers (since 4.3x): inputs made from labels also get a mask hiding their padding.
            decoderMask ??= decoderInput.Ne(pad).to(ScalarType.Int64);
        }
        var encoderStates = Encode(input.InputIds, input.AttentionMask);
        var logits = decoder.Forward(new DecoderInput
        {
            InputIds = decoderInput,
            AttentionMask = decoderMask,
            EncoderHiddenStates = encoderStates,
            EncoderAttentionMask = input.AttentionMask,
        });
        var loss = input.Labels is null ? null : Seq2SeqLabels.Loss(logits, input.Labels, input.LabelSmoothing);
        return new Seq2SeqOutput
        {
            Logits = logits.MoveToOuterDisposeScope(),
            Loss = loss?.MoveToOuterDisposeScope(),
            EncoderLastHiddenState = encoderStates.MoveToOuterDisposeScope(),
        };
    }

    /// <inheritdoc />
    public nn.Module Module => this;

    /// <inheritdoc />
    public Seq2SeqOutput Forward(Seq2SeqInput input) => forward(input);

    /// <inheritdoc />
    public int VocabSize => Config.Decoder.VocabSize;

    /// <inheritdoc />
    public int MaxSourceLength => encoder.MaxPositions;

    /// <inheritdoc />
    public SpecialTokenIds SpecialIds => new(Config.DecoderStartTokenId, Config.PadTokenId, Config.EosTokenId);

    /// <inheritdoc />
    public GenerationConfig GenerationConfig
    {
        get => _generationConfig ??= GenerationConfig.FromSpecialIds(Config.DecoderStartTokenId, Config.PadTokenId, Config.EosTokenId);
        set => _generationConfig = value;
    }
    GenerationConfig? _generationConfig;

    /// <inheritdoc />
    public IDecodingSession StartDecoding(Tensor inputIds, Tensor attentionMask, bool useCache = true) =>
        new EncoderDecoderSession(this, inputIds, attentionMask, useCache);

    /// <summary>Decoder logits for <paramref name="decoderIds"/> given encoder states; used by decoding sessions
    /// (<paramref name="outputWeight"/>: the session's copy from <see cref="TransposedOutputWeight"/>).</summary>
    internal Tensor DecodeStep(Tensor decoderIds, Tensor encoderStates, Tensor? encoderMask, KeyValueCache? cache, Tensor? outputWeight) =>
        decoder.Forward(new DecoderInput
        {
            InputIds = decoderIds,
            EncoderHiddenStates = encoderStates,
            EncoderAttentionMask = encoderMask,
            Cache = cache,
        }, outputWeight);

    /// <summary>The decoder's output weight transposed for decoding; the caller owns it.</summary>
    internal Tensor TransposedOutputWeight() => decoder.TransposedOutputWeight();

    internal int DecoderLayers => decoder.NumLayers;
}

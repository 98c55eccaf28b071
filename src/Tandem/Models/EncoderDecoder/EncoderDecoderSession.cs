using TorchSharp;
using Tandem.Generation;
using Tandem.Modeling;
using Tandem.Native;
using static TorchSharp.torch;

namespace Tandem.Models.EncoderDecoder;

/// <summary>Incremental decoding for <see cref="EncoderDecoderModel"/>: the encoder runs once; the decoder keeps a
/// <see cref="KeyValueCache"/> (or, uncached, re-reads the whole prefix each step). Owns every tensor it keeps.</summary>
internal sealed class EncoderDecoderSession : IDecodingSession
{
    readonly EncoderDecoderModel _model;
    readonly KeyValueCache? _cache;
    readonly IDisposable _heldWeights;
    readonly Tensor _outputWeight;
    readonly bool _unpadded;                                                                   // no source token is padding (e.g. a batch of one)
    Tensor _encoderStates, _encoderMask;

    public EncoderDecoderSession(EncoderDecoderModel model, Tensor inputIds, Tensor attentionMask, bool useCache)
    {
        _heldWeights = InferenceWeights.Hold(model, Autocast.Dtype);                           // bf16 copies kept for the session
        _model = model;
        using (no_grad())
        {
            _encoderStates = model.Encode(inputIds, attentionMask).DetachFromDisposeScope();
            _outputWeight = model.TransposedOutputWeight().DetachFromDisposeScope();
        }
        _encoderMask = attentionMask.to(ScalarType.Int64).DetachFromDisposeScope();
        using (var pads = attentionMask.Eq(0)) using (var any = pads.any()) _unpadded = !any.item<bool>();
        _cache = useCache ? new KeyValueCache(model.DecoderLayers) : null;
    }

    public Tensor NextLogits(Tensor sequences)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = _cache is null ? sequences : sequences[.., ^1..];                          // [rows, 1] when cached
        var mask = _unpadded ? null : _encoderMask;                                            // nothing to hide: no mask ops per layer
        var logits = _model.DecodeStep(input, _encoderStates, mask, _cache, _outputWeight);    // [rows, len, vocab]
        return logits[.., -1, ..].to(ScalarType.Float32).MoveToOuterDisposeScope();              // [rows, vocab]
    }

    public void Reorder(Tensor rowIndices)
    {
        var idx = rowIndices.to(_encoderStates.device);
        var states = _encoderStates.index_select(0, idx).DetachFromDisposeScope();
        var mask = _encoderMask.index_select(0, idx).DetachFromDisposeScope();
        _encoderStates.Dispose();
        _encoderMask.Dispose();
        _encoderStates = states;
        _encoderMask = mask;
        _cache?.Reorder(idx);
        if (!ReferenceEquals(idx, rowIndices)) idx.Dispose();
    }

    public void Dispose()
    {
        _encoderStates.Dispose();
        _encoderMask.Dispose();
        _outputWeight.Dispose();
        _cache?.Dispose();
        _heldWeights.Dispose();
    }
}

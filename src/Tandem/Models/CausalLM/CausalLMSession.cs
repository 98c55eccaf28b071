using TorchSharp;
using Tandem.Generation;
using Tandem.Modeling;
using static TorchSharp.torch;

namespace Tandem.Models.CausalLM;

/// <summary>
/// Incremental decoding for a decoder-only language model (any <see cref="ICausalDecoder"/>): the decoder prompt is
/// the (left-padded) input itself (<see cref="IGenerativeModel.DecodesFromInputs"/>), so the first call reads the
/// whole prompt and later calls, with a cache, only the newest token. The padding mask grows by one 1 per generated token and
/// position ids come from it (<see cref="CausalLMInputs.PositionIds"/>). Owns every tensor it keeps.
/// </summary>
public sealed class CausalLMSession : IDecodingSession
{
    readonly ICausalDecoder _decoder;
    readonly KeyValueCache? _cache;
    readonly IDisposable _heldWeights;
    readonly Tensor _outputWeight;
    Tensor _mask;

    /// <summary>A session over prompts <paramref name="inputIds"/> <c>[batch, len]</c> with their padding mask
    /// <paramref name="attentionMask"/> (0 = left pad); uncached when <paramref name="useCache"/> is false.</summary>
    public CausalLMSession(ICausalDecoder decoder, Tensor inputIds, Tensor attentionMask, bool useCache)
    {
        if (inputIds.dim() != 2 || !attentionMask.shape.SequenceEqual(inputIds.shape))
            throw new TandemException("a causal LM prompt needs input ids and an attention mask of the same [batch, len] shape");
        _decoder = decoder;
        _heldWeights = InferenceWeights.Hold(decoder, Autocast.Dtype);                           // bf16 copies kept for the session
        _mask = attentionMask.to(ScalarType.Int64).DetachFromDisposeScope();
        using (no_grad()) _outputWeight = decoder.TransposedOutputWeight().DetachFromDisposeScope();
        _cache = useCache ? new KeyValueCache(decoder.NumLayers) : null;
    }

    /// <inheritdoc />
    public Tensor NextLogits(Tensor sequences)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long length = sequences.size(1), grown = length - _mask.size(1);
        if (grown > 0)                                                                          // generated tokens are never padding
            Replace(ref _mask, cat([_mask, ones(_mask.size(0), grown, ScalarType.Int64, _mask.device)], 1)); // [rows, length]
        long past = _cache?.PastLength ?? 0;
        var logits = _decoder.Forward(new DecoderInput
        {
            InputIds = sequences[.., (int)past..],                                              // [rows, length - past]
            AttentionMask = _mask,
            PositionIds = CausalLMInputs.PositionIds(_mask)[.., (int)past..],
            Cache = _cache,
        }, _outputWeight);                                                                      // [rows, length - past, vocab]
        return logits[.., -1, ..].to(ScalarType.Float32).MoveToOuterDisposeScope();             // [rows, vocab]
    }

    /// <summary>Keeps rows <paramref name="rowIndices"/> of the cache. The padding mask belongs to the input, not
    /// to a beam: it follows an expansion (the row count changes) and stays put when beams are
    /// reordered, as transformers' generate never reorders <c>attention_mask</c> (rows of a finished input,
    /// which beam search points at row 0, keep their own mask).</summary>
    public void Reorder(Tensor rowIndices)
    {
        var idx = rowIndices.to(_mask.device);
        if (idx.size(0) != _mask.size(0)) Replace(ref _mask, _mask.index_select(0, idx));
        _cache?.Reorder(idx);
        if (!ReferenceEquals(idx, rowIndices)) idx.Dispose();
    }

    static void Replace(ref Tensor slot, Tensor value)
    {
        value.DetachFromDisposeScope();
        slot.Dispose();
        slot = value;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _mask.Dispose();
        _outputWeight.Dispose();
        _cache?.Dispose();
        _heldWeights.Dispose();
    }
}

using TorchSharp;
using Tandem.Generation;
using Tandem.Modeling;
using Tandem.Models.Bert;
using Tandem.Native;
using static TorchSharp.torch;

namespace Tandem.Models.PrefixLM;

/// <summary>
/// Incremental decoding for <see cref="PrefixLMModel"/>. The source block is encoded once (bidirectionally within the
/// source, as the prefix mask implies) with its keys and values kept in a <see cref="KeyValueCache"/>; its last real
/// token's output gives the first logits. Each later step appends the newest target token (segment 1, position
/// <c>L + t</c>) and attends to the real source tokens and every target so far. Uncached, every step re-runs the
/// whole <c>[source; targets]</c> under the prefix mask. Sequences handed in start with the decoder start token,
/// which stands for the source's last token and is not fed again. Owns every tensor it keeps.
/// </summary>
internal sealed class PrefixLMSession : IDecodingSession
{
    readonly PrefixLMModel _model;
    readonly KeyValueCache? _cache;
    readonly IDisposable _heldWeights;
    readonly Tensor _outputWeight;
    Tensor _sourceIds, _sourceMask, _sourceLengths, _firstLogits;

    public PrefixLMSession(PrefixLMModel model, Tensor inputIds, Tensor attentionMask, bool useCache)
    {
        _heldWeights = InferenceWeights.Hold(model, Autocast.Dtype);                           // bf16 copies kept for the session
        _model = model;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        _cache = useCache ? new KeyValueCache(model.Layers) : null;
        _outputWeight = model.TransposedOutputWeight().DetachFromDisposeScope();               // [hidden, vocab]
        using var layout = PrefixLMInputs.Build(inputIds, attentionMask, null, null);
        var hidden = model.RunBert(layout, _cache);                                             // [rows, src, hidden]
        _firstLogits = model.Predict(hidden, layout.LastSourceIndex.unsqueeze(1), _outputWeight)[.., 0]
            .to(ScalarType.Float32).DetachFromDisposeScope();                                  // [rows, vocab]
        _sourceIds = layout.InputIds.clone().DetachFromDisposeScope();                         // [rows, src]
        _sourceMask = attentionMask.to(ScalarType.Int64, inputIds.device).clone().DetachFromDisposeScope(); // [rows, src]
        _sourceLengths = layout.SourceLengths.clone().DetachFromDisposeScope();                // [rows]
    }

    public Tensor NextLogits(Tensor sequences)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long rows = sequences.size(0), curLen = sequences.size(1);
        Tensor logits;
        if (_cache is null)
        {
            using var layout = PrefixLMInputs.Build(_sourceIds, _sourceMask, sequences[.., 1..], null);
            var hidden = _model.RunBert(layout, null);                                          // [rows, src + curLen - 1, hidden]
            var column = curLen == 1 ? layout.LastSourceIndex.unsqueeze(1)
                : Scalars.Full([rows, 1], hidden.size(1) - 1, ScalarType.Int64, hidden.device);          // [rows, 1]
            logits = _model.Predict(hidden, column, _outputWeight)[.., 0];                                     // [rows, vocab]
        }
        else if (curLen == 1) logits = _firstLogits.clone();
        else
        {
            long src = _sourceMask.size(1);
            if (_cache.PastLength != src + curLen - 2)
                throw new TandemException($"decoding session out of step: {_cache.PastLength} cached positions for a sequence of {curLen} tokens");
            var token = sequences[.., ^1..].to(ScalarType.Int64);                               // [rows, 1]
            var mask = cat([_sourceMask, ones(rows, curLen - 1, ScalarType.Int64, token.device)], 1).unsqueeze(1); // [rows, 1, src + curLen - 1]
            var hidden = _model.RunBert(new BertInput
            {
                InputIds = token,
                TokenTypeIds = ones_like(token),
                PositionIds = _sourceLengths.Add(curLen - 2).unsqueeze(1),                    // [rows, 1]
                AttentionMask = mask,
                Cache = _cache,
            });                                                                                 // [rows, 1, hidden]
            logits = _model.Predict(hidden, zeros(rows, 1, ScalarType.Int64, hidden.device), _outputWeight)[.., 0]; // [rows, vocab]
        }
        return logits.to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    public void Reorder(Tensor rowIndices)
    {
        var idx = rowIndices.to(_sourceIds.device);
        Select(ref _sourceIds, idx);
        Select(ref _sourceMask, idx);
        Select(ref _sourceLengths, idx);
        Select(ref _firstLogits, idx);
        _cache?.Reorder(idx);
        if (!ReferenceEquals(idx, rowIndices)) idx.Dispose();
    }

    static void Select(ref Tensor slot, Tensor idx)
    {
        var kept = slot.index_select(0, idx).DetachFromDisposeScope();
        slot.Dispose();
        slot = kept;
    }

    public void Dispose()
    {
        _sourceIds.Dispose();
        _sourceMask.Dispose();
        _sourceLengths.Dispose();
        _firstLogits.Dispose();
        _outputWeight.Dispose();
        _cache?.Dispose();
        _heldWeights.Dispose();
    }
}

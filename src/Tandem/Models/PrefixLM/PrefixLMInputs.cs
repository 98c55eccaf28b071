using TorchSharp;
using Tandem.Native;
using static TorchSharp.torch;

namespace Tandem.Models.PrefixLM;

/// <summary>
/// One prefix-LM input: the padded source block followed by the target block, <c>[batch, srcLen + tgtLen]</c>.
/// <list type="bullet">
/// <item>Source columns <c>0 .. srcLen-1</c> hold the source as the tokenizer gives it (<c>[CLS] source [SEP]</c>,
/// padded on either side); target columns <c>srcLen ..</c> hold the target tokens fed so far.</item>
/// <item>Segment ids: 0 for source columns, 1 for target columns.</item>
/// <item>Position ids contiguous per row: the real source tokens get <c>0 .. L-1</c> (L = the row's source length), the
/// target tokens <c>L, L+1, ..</c>, exactly as the unpadded <c>[CLS] source [SEP] target</c>; padding gets 0.</item>
/// <item>The 3-D mask <c>[batch, from, to]</c> (1 = may attend): every row sees the real source tokens; a target row
/// also sees the real target tokens up to itself; source rows never see targets; padding is never seen.</item>
/// </list>
/// Owns its tensors.
/// </summary>
internal sealed class PrefixLMInputs : IDisposable
{
    /// <summary>Token ids <c>[batch, srcLen + tgtLen]</c>.</summary>
    public required Tensor InputIds { get; init; }
    /// <summary>Segment ids <c>[batch, srcLen + tgtLen]</c>: 0 source, 1 target.</summary>
    public required Tensor TokenTypeIds { get; init; }
    /// <summary>Position ids <c>[batch, srcLen + tgtLen]</c>, contiguous over each row's real tokens.</summary>
    public required Tensor PositionIds { get; init; }
    /// <summary>The prefix mask <c>[batch, srcLen + tgtLen, srcLen + tgtLen]</c>, int64 0/1.</summary>
    public required Tensor AttentionMask { get; init; }
    /// <summary>Column of each row's last real source token <c>[batch]</c>: its output predicts the first target token.</summary>
    public required Tensor LastSourceIndex { get; init; }
    /// <summary>Real source tokens per row <c>[batch]</c> (the position of the first target token).</summary>
    public required Tensor SourceLengths { get; init; }

    /// <summary>Lays out <paramref name="sourceIds"/> <c>[batch, srcLen]</c> (padding mask <paramref name="sourceMask"/>)
    /// followed by <paramref name="targetIds"/> <c>[batch, tgtLen]</c> (may be null or empty; padding mask
    /// <paramref name="targetMask"/>, all ones when null).</summary>
    public static PrefixLMInputs Build(Tensor sourceIds, Tensor sourceMask, Tensor? targetIds, Tensor? targetMask)
    {
        using var scope = NewDisposeScope();
        var device = sourceIds.device;
        long batch = sourceIds.size(0), src = sourceIds.size(1);
        long tgt = targetIds?.size(1) ?? 0;
        long total = src + tgt;
        var srcKeep = sourceMask.to(ScalarType.Int64, device);                                        // [batch, src]
        var tgtKeep = tgt == 0 ? zeros(batch, 0, ScalarType.Int64, device)
            : targetMask?.to(ScalarType.Int64, device) ?? ones(batch, tgt, ScalarType.Int64, device); // [batch, tgt]
        var keyKeep = cat([srcKeep, tgtKeep], 1);                                                      // [batch, total]

        var tgtIds = tgt == 0 ? zeros(batch, 0, ScalarType.Int64, device) : targetIds!.to(ScalarType.Int64, device);
        var ids = cat([sourceIds.to(ScalarType.Int64), tgtIds], 1);                                   // [batch, total], a new tensor
        var types = cat([zeros(batch, src, ScalarType.Int64, device), ones(batch, tgt, ScalarType.Int64, device)], 1); // [batch, total]

        var srcLen = srcKeep.sum(1);                                                                   // [batch]
        var srcPos = srcKeep.cumsum(1).Sub(1).ClampMin(0);                                             // [batch, src]
        var tgtPos = srcLen.unsqueeze(1).Add(Scalars.Arange(0, tgt, device: device).unsqueeze(0));       // [batch, tgt]
        var positions = cat([srcPos, tgtPos], 1) * keyKeep;                                            // [batch, total]

        var col = Scalars.Arange(0, total, device: device);                                            // [total]
        var isTarget = col.Ge(src);                                                                    // [total]
        var causal = col.unsqueeze(0).le(col.unsqueeze(1));                                            // [from, to]: to <= from
        var allowed = isTarget.logical_not().unsqueeze(0)                                              // [1, to]: sources seen by all
            .logical_or(isTarget.unsqueeze(1).logical_and(isTarget.unsqueeze(0)).logical_and(causal)); // [from, to]
        var mask = allowed.unsqueeze(0).to(ScalarType.Int64) * keyKeep.unsqueeze(1);                   // [batch, from, to]

        var lastSource = (srcKeep * Scalars.Arange(1, src + 1, device: device).unsqueeze(0)).argmax(1); // [batch]
        return new PrefixLMInputs
        {
            InputIds = ids.MoveToOuterDisposeScope(),
            TokenTypeIds = types.MoveToOuterDisposeScope(),
            PositionIds = positions.MoveToOuterDisposeScope(),
            AttentionMask = mask.MoveToOuterDisposeScope(),
            LastSourceIndex = lastSource.MoveToOuterDisposeScope(),
            SourceLengths = srcLen.MoveToOuterDisposeScope(),
        };
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        InputIds.Dispose();
        TokenTypeIds.Dispose();
        PositionIds.Dispose();
        AttentionMask.Dispose();
        LastSourceIndex.Dispose();
        SourceLengths.Dispose();
    }
}

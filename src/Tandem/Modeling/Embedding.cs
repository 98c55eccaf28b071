using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using Tandem.Native;
using static TorchSharp.torch;

namespace Tandem.Modeling;

/// <summary>
/// A lookup table with a managed <c>weight</c> parameter (TorchSharp's native Embedding hands out a new wrapper per
/// access, so it cannot be tied to an LM head or shared between encoder and decoder). As PyTorch's
/// <c>padding_idx</c>, the padding row reads its stored value but receives no gradient.
/// </summary>
internal sealed class Embedding : nn.Module
{
    [ComponentName(Name = "weight")]
    Parameter _weight;

    /// <summary>The table <c>[count, dim]</c>; setting it (to share another module's) re-registers it.</summary>
#pragma warning disable IDE1006 // names are Hugging Face checkpoint keys
    public Parameter weight
    {
        get => _weight;
        set
        {
            _weight = value;
            ConditionallyRegisterParameter("weight", value);
        }
    }
#pragma warning restore IDE1006
    readonly long? _paddingIdx;

    public Embedding(long count, long dim, long? paddingIdx = null) : base("embedding")
    {
        _weight = new Parameter(empty(count, dim));
        _paddingIdx = paddingIdx;
        RegisterComponents();
    }

    /// <summary>The padding row, or null.</summary>
    public long? PaddingIdx => _paddingIdx;

    public Tensor forward(Tensor ids)
    {
        using var scope = NewDisposeScope();
        var shape = ids.shape.Append(weight.size(1)).ToArray();
        var rows = weight.index_select(0, ids.reshape(-1)).view(shape);                         // [..., dim]
        if (_paddingIdx is { } pad && weight.requires_grad && is_grad_enabled())
            rows = where(ids.Eq(pad).unsqueeze(-1), weight[pad].detach(), rows);
        return rows.MoveToOuterDisposeScope();
    }
}

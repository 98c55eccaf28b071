using TorchSharp;
using TorchSharp.Modules;
using Linear = Tandem.Modeling.Linear;
using static TorchSharp.torch;

namespace Tandem.Models.Bert;

/// <summary>
/// Multi-head scaled dot-product attention (<c>attention.self</c> or <c>crossattention.self</c>): query from the
/// hidden states, key and value from the same states (self) or from the encoder output (cross), computed by
/// libtorch's fused <c>scaled_dot_product_attention</c>.
/// </summary>
internal sealed class BertSelfAttention : nn.Module
{
#pragma warning disable IDE1006 // names are Hugging Face checkpoint keys
    readonly Linear query, key, value;
#pragma warning restore IDE1006
    readonly int _heads, _headDim;
    readonly double _dropout;

    public BertSelfAttention(BertConfig config, long keyValueInputSize) : base("self")
    {
        _heads = config.NumAttentionHeads;
        _headDim = config.HeadDim;
        _dropout = config.AttentionProbsDropoutProb;
        query = new Linear(config.HiddenSize, config.HiddenSize);
        key = new Linear(keyValueInputSize, config.HiddenSize);
        value = new Linear(keyValueInputSize, config.HiddenSize);
        RegisterComponents();
    }

    /// <summary>Projects <paramref name="x"/> <c>[batch, len, in]</c> to keys and values <c>[batch, heads, len, headDim]</c>.</summary>
    public (Tensor Key, Tensor Value) KeyValue(Tensor x) => (Split(key.forward(x)), Split(value.forward(x)));

    /// <summary>
    /// Attends from <paramref name="hidden"/> <c>[batch, tgtLen, hidden]</c> to <paramref name="keyValue"/>
    /// (<c>[batch, heads, srcLen, headDim]</c> each) with the additive <paramref name="mask"/> <c>[batch, 1, tgtLen, srcLen]</c>.
    /// Returns the context <c>[batch, tgtLen, hidden]</c>.
    /// </summary>
    public Tensor forward(Tensor hidden, (Tensor Key, Tensor Value) keyValue, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        var q = Split(query.forward(hidden));                                                   // [batch, heads, tgt, headDim]
        double p = training ? _dropout : 0.0;
        if (mask is not null && mask.dtype != q.dtype)
            mask = mask.clamp_min(Modeling.AttentionMasks.MinValue(q.dtype)).to(q.dtype);                 // mixed precision
        var context = nn.functional.scaled_dot_product_attention(q, keyValue.Key, keyValue.Value, mask, p);  // [batch, heads, tgt, headDim]
        long batch = hidden.shape[0], len = hidden.shape[1];
        return context.transpose(1, 2).reshape(batch, len, (long)_heads * _headDim)             // [batch, tgt, hidden]
            .MoveToOuterDisposeScope();
    }

    Tensor Split(Tensor x)
    {
        long batch = x.shape[0], len = x.shape[1];
        return x.view(batch, len, _heads, _headDim).transpose(1, 2);                            // [batch, heads, len, headDim]
    }
}

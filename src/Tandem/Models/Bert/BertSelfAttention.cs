using TorchSharp;
using TorchSharp.Modules;
using Tandem.Modeling;
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
    readonly int _heads;
    readonly double _dropout;

    public BertSelfAttention(BertConfig config, long keyValueInputSize) : base("self")
    {
        _heads = config.NumAttentionHeads;
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
        return MultiHeadAttention.Attend(q, keyValue.Key, keyValue.Value, mask, training ? _dropout : 0.0)
            .MoveToOuterDisposeScope();                                                         // [batch, tgt, hidden]
    }

    Tensor Split(Tensor x) => MultiHeadAttention.SplitHeads(x, _heads);                         // [batch, heads, len, headDim]
}

using TorchSharp;
using TorchSharp.Modules;
using Tandem.Modeling;
using Dropout = Tandem.Modeling.Dropout;
using static TorchSharp.torch;

namespace Tandem.Models.Gpt2;

/// <summary>
/// GPT-2's attention, <c>attn</c> or <c>crossattention</c>. Self-attention projects queries, keys and values at once
/// (<c>c_attn</c> <c>[n_embd, 3 n_embd]</c>, q|k|v); cross-attention projects queries from the decoder
/// (<c>q_attn</c>) and keys and values from the encoder states (<c>c_attn</c> <c>[n_embd, 2 n_embd]</c>, k|v).
/// Both end with <c>c_proj</c>. Scores use libtorch's fused product, scaled as the config says.
/// </summary>
internal sealed class Gpt2Attention : nn.Module
{
#pragma warning disable IDE1006 // names are Hugging Face checkpoint keys
    readonly Conv1D c_attn;
    readonly Conv1D? q_attn;
    readonly Conv1D c_proj;
    readonly Dropout resid_dropout;
#pragma warning restore IDE1006
    readonly int _heads;
    readonly double _dropout;
    readonly double? _scale;

    public Gpt2Attention(Gpt2Config config, int layerIndex, bool isCrossAttention)
        : base(isCrossAttention ? "crossattention" : "attn")
    {
        long n = config.NEmbd;
        _heads = config.NHead;
        _dropout = config.AttnPdrop;
        if (isCrossAttention)
        {
            q_attn = new Conv1D(n, n);
            c_attn = new Conv1D(n, 2 * n);
        }
        else c_attn = new Conv1D(n, 3 * n);
        c_proj = new Conv1D(n, n);
        resid_dropout = new Dropout(config.ResidPdrop);
        double scale = config.ScaleAttnWeights ? 1.0 / Math.Sqrt(config.HeadDim) : 1.0;
        if (config.ScaleAttnByInverseLayerIdx) scale /= layerIndex + 1;
        _scale = config.ScaleAttnWeights && !config.ScaleAttnByInverseLayerIdx ? null : scale;   // null: the kernel's 1 / sqrt(head_dim)
        RegisterComponents();
    }

    /// <summary>Self-attention's queries, keys and values <c>[batch, heads, len, headDim]</c> for <paramref name="hidden"/>.</summary>
    public (Tensor Query, Tensor Key, Tensor Value) QueryKeyValue(Tensor hidden)
    {
        var qkv = c_attn.forward(hidden).chunk(3, -1);                                          // 3 x [batch, len, n_embd]
        return (Split(qkv[0]), Split(qkv[1]), Split(qkv[2]));
    }

    /// <summary>Cross-attention's keys and values <c>[batch, heads, srcLen, headDim]</c> for encoder states <paramref name="encoderStates"/>.</summary>
    public (Tensor Key, Tensor Value) KeyValue(Tensor encoderStates)
    {
        var kv = c_attn.forward(encoderStates).chunk(2, -1);                                    // 2 x [batch, src, n_embd]
        return (Split(kv[0]), Split(kv[1]));
    }

    /// <summary>Cross-attention's queries <c>[batch, heads, len, headDim]</c> for <paramref name="hidden"/>.</summary>
    public Tensor Query(Tensor hidden) => Split(q_attn!.forward(hidden));

    /// <summary>Attends with queries <paramref name="query"/> to <paramref name="keyValue"/> under the additive
    /// <paramref name="mask"/> and projects the result: <c>[batch, len, n_embd]</c>.</summary>
    public Tensor forward(Tensor query, (Tensor Key, Tensor Value) keyValue, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        var context = MultiHeadAttention.Attend(query, keyValue.Key, keyValue.Value, mask, training ? _dropout : 0.0, _scale);
        return resid_dropout.forward(c_proj.forward(context)).MoveToOuterDisposeScope();       // [batch, len, n_embd]
    }

    Tensor Split(Tensor x) => MultiHeadAttention.SplitHeads(x, _heads);                         // [batch, heads, len, headDim]
}

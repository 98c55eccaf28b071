using TorchSharp;
using TorchSharp.Modules;
using Tandem.Modeling;
using Tandem.Native;
using Dropout = Tandem.Modeling.Dropout;
using static TorchSharp.torch;

namespace Tandem.Models.Gpt2;

/// <summary>The feed-forward block <c>mlp</c>: <c>c_fc</c>, activation, <c>c_proj</c>, dropout.</summary>
internal sealed class Gpt2Mlp : nn.Module
{
#pragma warning disable IDE1006 // names are Hugging Face checkpoint keys
    readonly Conv1D c_fc, c_proj;
    readonly Dropout dropout;
#pragma warning restore IDE1006
    readonly string _act;

    public Gpt2Mlp(Gpt2Config config) : base("mlp")
    {
        _act = config.ActivationFunction;
        c_fc = new Conv1D(config.NEmbd, config.InnerSize);
        c_proj = new Conv1D(config.InnerSize, config.NEmbd);
        dropout = new Dropout(config.ResidPdrop);
        RegisterComponents();
    }

    public Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var inner = Activations.Apply(_act, c_fc.forward(x));                                   // [batch, len, n_inner]
        return dropout.forward(c_proj.forward(inner)).MoveToOuterDisposeScope();               // [batch, len, n_embd]
    }
}

/// <summary>One pre-LayerNorm block <c>h.N</c>: <c>ln_1</c> + <c>attn</c>, with cross-attention
/// <c>ln_cross_attn</c> + <c>crossattention</c>, then <c>ln_2</c> + <c>mlp</c>, each added to the residual stream.</summary>
internal sealed class Gpt2Block : nn.Module
{
#pragma warning disable IDE1006 // names are Hugging Face checkpoint keys
    readonly LayerNorm ln_1, ln_2;
    readonly Gpt2Attention attn;
    readonly LayerNorm? ln_cross_attn;
    readonly Gpt2Attention? crossattention;
    readonly Gpt2Mlp mlp;
#pragma warning restore IDE1006
    readonly int _index;

    public Gpt2Block(Gpt2Config config, int index) : base(index.ToString())
    {
        _index = index;
        ln_1 = nn.LayerNorm(config.NEmbd, eps: config.LayerNormEpsilon);
        attn = new Gpt2Attention(config, index, isCrossAttention: false);
        if (config.AddCrossAttention)
        {
            crossattention = new Gpt2Attention(config, index, isCrossAttention: true);
            ln_cross_attn = nn.LayerNorm(config.NEmbd, eps: config.LayerNormEpsilon);
        }
        ln_2 = nn.LayerNorm(config.NEmbd, eps: config.LayerNormEpsilon);
        mlp = new Gpt2Mlp(config);
        RegisterComponents();
    }

    /// <summary>Runs the block on <paramref name="hidden"/> <c>[batch, len, n_embd]</c> (float32). With a cache the new
    /// keys and values are appended to it, and cross-attention keys and values are computed once and reused.</summary>
    public Tensor forward(Tensor hidden, Tensor? selfMask, Tensor? encoderStates, Tensor? crossMask, KeyValueCache? cache)
    {
        using var scope = NewDisposeScope();
        var (q, k, v) = attn.QueryKeyValue(ln_1.forward(hidden));                               // [batch, heads, len, headDim]
        var x = hidden.Add(Autocast.Float(attn.forward(q, KeyValueCache.AppendSelf(cache, _index, k, v), selfMask)));
        if (crossattention is not null)
        {
            var kv = KeyValueCache.Cross(cache, _index, encoderStates, crossattention.KeyValue);
            var query = crossattention.Query(ln_cross_attn!.forward(x));
            x = x.Add(Autocast.Float(crossattention.forward(query, kv, crossMask)));
        }
        return x.Add(Autocast.Float(mlp.forward(ln_2.forward(x)))).MoveToOuterDisposeScope();   // [batch, len, n_embd]
    }
}

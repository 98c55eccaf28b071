using TorchSharp;
using Tandem.Modeling;
using static TorchSharp.torch;

namespace Tandem.Models.Bert;

/// <summary>One Transformer layer: self-attention, optional cross-attention, feed-forward (<c>encoder.layer.N</c>).</summary>
internal sealed class BertLayer : nn.Module
{
#pragma warning disable IDE1006 // names are Hugging Face checkpoint keys
    readonly BertAttention attention;
    readonly BertAttention? crossattention;
    readonly BertIntermediate intermediate;
    readonly BertSelfOutput output;
#pragma warning restore IDE1006
    readonly int _index;

    public BertLayer(BertConfig config, int index, long encoderHiddenSize) : base(index.ToString())
    {
        _index = index;
        attention = new BertAttention(config, "attention", config.HiddenSize);
        if (config.AddCrossAttention)
            crossattention = new BertAttention(config, "crossattention", encoderHiddenSize);
        intermediate = new BertIntermediate(config);
        output = new BertSelfOutput(config, config.IntermediateSize);
        RegisterComponents();
    }

    public bool HasCrossAttention => crossattention is not null;

    /// <summary>Runs the layer on <paramref name="hidden"/> <c>[batch, len, hidden]</c>. With a cache, the new keys and
    /// values are appended to it and cross-attention keys/values are computed once and reused.</summary>
    public Tensor forward(Tensor hidden, Tensor? selfMask, Tensor? encoderStates, Tensor? crossMask, KeyValueCache? cache)
    {
        using var scope = NewDisposeScope();
        var (k, v) = attention.@self.KeyValue(hidden);                                          // [batch, heads, len, headDim]
        if (cache?.Self(_index) is { } past)
        {
            k = cat([past.Key, k], 2);                                                           // [batch, heads, past+len, headDim]
            v = cat([past.Value, v], 2);
        }
        if (cache is not null) cache.SetSelf(_index, k, v);
        var x = attention.forward(hidden, (k, v), selfMask);

        if (crossattention is not null)
        {
            if (encoderStates is null && cache?.Cross(_index) is null)
                throw new TandemException("this decoder has cross-attention: encoder hidden states are required");
            (Tensor Key, Tensor Value) kv;
            if (cache?.Cross(_index) is { } cached) kv = cached;
            else
            {
                kv = crossattention.@self.KeyValue(encoderStates!);                              // [batch, heads, src, headDim]
                cache?.SetCross(_index, kv.Key, kv.Value);
            }
            x = crossattention.forward(x, kv, crossMask);
        }
        return output.forward(intermediate.forward(x), x).MoveToOuterDisposeScope();
    }
}

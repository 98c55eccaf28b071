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
        var input = Autocast.ProductInput(hidden);                                              // converted once for query, key and value
        var (k, v) = attention.@self.KeyValue(input);                                           // [batch, heads, len, headDim]
        var x = attention.forward(hidden, input, KeyValueCache.AppendSelf(cache, _index, k, v), selfMask);
        if (crossattention is not null)
            x = crossattention.forward(x, x, KeyValueCache.Cross(cache, _index, encoderStates,
                states => crossattention.@self.KeyValue(Autocast.ProductInput(states))), crossMask);
        return output.forward(intermediate.forward(x), x).MoveToOuterDisposeScope();
    }
}

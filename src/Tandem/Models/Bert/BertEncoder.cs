using TorchSharp;
using TorchSharp.Modules;
using Linear = Tandem.Modeling.Linear;
using Tandem.Modeling;
using static TorchSharp.torch;

namespace Tandem.Models.Bert;

/// <summary>The stack of layers (<c>encoder.layer.0 ..</c>).</summary>
internal sealed class BertEncoder : nn.Module
{
#pragma warning disable IDE1006 // names are Hugging Face checkpoint keys
    readonly ModuleList<BertLayer> layer;
#pragma warning restore IDE1006

    public BertEncoder(BertConfig config, long encoderHiddenSize) : base("encoder")
    {
        layer = new ModuleList<BertLayer>(Enumerable.Range(0, config.NumHiddenLayers)
            .Select(i => new BertLayer(config, i, encoderHiddenSize)).ToArray());
        RegisterComponents();
    }

    /// <summary>Runs every layer; <paramref name="all"/>, when given, receives the input and each layer's output
    /// (tensors of the caller's dispose scope).</summary>
    public Tensor forward(Tensor hidden, Tensor? selfMask, Tensor? encoderStates, Tensor? crossMask, KeyValueCache? cache,
        List<Tensor>? all = null)
    {
        using var scope = NewDisposeScope();
        all?.Add(hidden);
        foreach (var l in layer)
        {
            hidden = l.forward(hidden, selfMask, encoderStates, crossMask, cache);
            all?.Add(hidden.MoveToOuterDisposeScope());
        }
        return hidden.MoveToOuterDisposeScope();
    }
}

/// <summary>Dense + tanh on the first token's hidden state (<c>pooler.dense</c>).</summary>
internal sealed class BertPooler : nn.Module
{
#pragma warning disable IDE1006 // names are Hugging Face checkpoint keys
    readonly Linear dense;
#pragma warning restore IDE1006

    public BertPooler(BertConfig config) : base("pooler")
    {
        dense = new Linear(config.HiddenSize, config.HiddenSize);
        RegisterComponents();
    }

    public Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        return Autocast.Float(dense.forward(hidden.select(1, 0)).tanh()).MoveToOuterDisposeScope();             // [batch, hidden]
    }
}

using TorchSharp;
using TorchSharp.Modules;
using Linear = Tandem.Modeling.Linear;
using Tandem.Modeling;
using Tandem.Native;
using Dropout = Tandem.Modeling.Dropout;
using static TorchSharp.torch;

namespace Tandem.Models.Bert;

/// <summary>Residual block: dense, dropout, add, LayerNorm. It is <c>attention.output</c> (input = hidden size) and
/// the layer's <c>output</c> after the intermediate block (input = intermediate size).</summary>
internal sealed class BertSelfOutput : nn.Module
{
#pragma warning disable IDE1006 // names are Hugging Face checkpoint keys
    readonly Linear dense;
    readonly LayerNorm LayerNorm;
    readonly Dropout dropout;
#pragma warning restore IDE1006

    public BertSelfOutput(BertConfig config, long inputSize = 0) : base("output")
    {
        dense = new Linear(inputSize > 0 ? inputSize : config.HiddenSize, config.HiddenSize);
        LayerNorm = nn.LayerNorm(config.HiddenSize, eps: config.LayerNormEps);
        dropout = new Dropout(config.HiddenDropoutProb);
        RegisterComponents();
    }

    public Tensor forward(Tensor x, Tensor residual)
    {
        using var scope = NewDisposeScope();
        return LayerNorm.forward(Autocast.Float(dropout.forward(dense.forward(x)).Add(residual))).MoveToOuterDisposeScope();
    }
}

/// <summary>Attention plus its residual block: <c>attention</c> or <c>crossattention</c> with <c>self</c> and <c>output</c>.</summary>
internal sealed class BertAttention : nn.Module
{
#pragma warning disable IDE1006 // names are Hugging Face checkpoint keys
    internal readonly BertSelfAttention @self;
    readonly BertSelfOutput output;
#pragma warning restore IDE1006

    public BertAttention(BertConfig config, string name, long keyValueInputSize) : base(name)
    {
        @self = new BertSelfAttention(config, keyValueInputSize);
        output = new BertSelfOutput(config);
        RegisterComponents();
    }

    /// <summary>Attends from <paramref name="hidden"/> (its queries projected from <paramref name="input"/>: the same
    /// states, or them converted once for the products) to <paramref name="keyValue"/>, then the residual block over
    /// <paramref name="hidden"/>.</summary>
    public Tensor forward(Tensor hidden, Tensor input, (Tensor Key, Tensor Value) keyValue, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        return output.forward(@self.forward(input, keyValue, mask), hidden).MoveToOuterDisposeScope();
    }
}

/// <summary>The first half of the feed-forward block: <c>intermediate.dense</c> and the activation.</summary>
internal sealed class BertIntermediate : nn.Module
{
#pragma warning disable IDE1006 // names are Hugging Face checkpoint keys
    readonly Linear dense;
#pragma warning restore IDE1006
    readonly string _act;

    public BertIntermediate(BertConfig config) : base("intermediate")
    {
        _act = config.HiddenAct;
        dense = new Linear(config.HiddenSize, config.IntermediateSize);
        RegisterComponents();
    }

    public Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        return Activations.Apply(_act, dense.forward(hidden)).MoveToOuterDisposeScope();      // [batch, len, intermediate]
    }
}

using TorchSharp;
using TorchSharp.Modules;
using Linear = Tandem.Modeling.Linear;
using Tandem.Modeling;
using static TorchSharp.torch;

namespace Tandem.Models.Roberta;

/// <summary>RoBERTa's LM head <c>lm_head</c>: <c>dense</c>, exact GELU, <c>layer_norm</c>, then the output layer
/// <c>decoder</c> (tied to the word embeddings) with <c>bias</c> (the same tensor as <c>decoder.bias</c>).</summary>
internal sealed class RobertaLMHead : nn.Module
{
#pragma warning disable IDE1006 // names are Hugging Face checkpoint keys
    readonly Linear dense;
    readonly LayerNorm layer_norm;
    readonly Linear decoder;
    readonly Parameter bias;
#pragma warning restore IDE1006

    public RobertaLMHead(RobertaConfig config, Parameter? tiedWeight) : base("lm_head")
    {
        dense = new Linear(config.HiddenSize, config.HiddenSize);
        layer_norm = nn.LayerNorm(config.HiddenSize, eps: config.LayerNormEps);
        bias = new Parameter(zeros(config.VocabSize));
        decoder = OutputLayer.Create(tiedWeight, bias, config.VocabSize, config.HiddenSize, config.InitializerRange);
        RegisterComponents();
        using (no_grad())
        {
            dense.weight.normal_(0, config.InitializerRange);                                    // LayerNorm starts at 1 and 0
            dense.bias!.zero_();
        }
    }

    /// <summary>The output weight transposed for decoding (see <see cref="OutputLayer.Transposed"/>); caller-owned.</summary>
    public Tensor TransposedOutputWeight() => OutputLayer.Transposed(decoder);

    /// <summary>Logits <c>[batch, len, vocab]</c> of <paramref name="hidden"/> <c>[batch, len, hidden]</c>.</summary>
    public Tensor forward(Tensor hidden, Tensor? transposedWeight = null)
    {
        using var scope = NewDisposeScope();
        var h = layer_norm.forward(Autocast.Float(Activations.Apply("gelu", dense.forward(hidden))));  // [batch, len, hidden]
        return OutputLayer.Logits(decoder, h, transposedWeight).MoveToOuterDisposeScope();     // [batch, len, vocab]
    }
}

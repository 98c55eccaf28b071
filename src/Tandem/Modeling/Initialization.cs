using TorchSharp;
using TorchSharp.Modules;
using Embedding = Tandem.Modeling.Embedding;
using static TorchSharp.torch;

namespace Tandem.Modeling;

/// <summary>transformers' BERT initialisation: Linear, Conv1D and Embedding weights ~ N(0, initializer_range), biases 0,
/// the padding row of an embedding 0, LayerNorm weight 1 and bias 0.</summary>
internal static class Initialization
{
    public static void Apply(nn.Module root, double std)
    {
        using var noGrad = no_grad();
        foreach (var (_, m) in root.named_modules())
        {
            switch (m)
            {
                case Linear linear:
                    linear.weight!.normal_(0, std);
                    linear.bias?.zero_();
                    break;
                case Conv1D conv:
                    conv.weight.normal_(0, std);
                    conv.bias.zero_();
                    break;
                case Embedding embedding:
                    embedding.weight.normal_(0, std);
                    if (embedding.PaddingIdx is { } pad) embedding.weight[pad].zero_();
                    break;
                case LayerNorm norm:
                    norm.weight?.fill_(1.0);
                    norm.bias?.zero_();
                    break;
            }
        }
    }
}

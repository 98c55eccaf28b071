using TorchSharp;
using TorchSharp.Modules;
using Embedding = Tandem.Modeling.Embedding;
using static TorchSharp.torch;

namespace Tandem.Modeling;

/// <summary>transformers' BERT initialisation: Linear, Conv1D and Embedding weights ~ N(0, initializer_range), biases 0,
/// the padding row of an embedding 0, LayerNorm weight 1 and bias 0.</summary>
internal static class Initialization
{
    [ThreadStatic] static bool _skipping;

    /// <summary>Until disposed, <see cref="Apply"/> on this thread does nothing, as transformers' <c>no_init_weights</c>:
    /// for a model whose every weight is then loaded strictly (a missing tensor is an error), so the random values
    /// would all be overwritten. Measured with <c>TANDEM_TIMING=1</c> on a MiniLM2MiniLM folder (one thread, CPU time):
    /// the model build fell from 2530 to 220 ms, the weights load rose from 1550 to 2810 ms (the first touch of the
    /// parameters' memory moved there), the first token of <c>tandem ask</c> came at 4670 instead of 5620 ms.</summary>
    public static IDisposable SkipForStrictLoad() => new Skip();

    public static void Apply(nn.Module root, double std)
    {
        if (_skipping) return;
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

    sealed class Skip : IDisposable
    {
        readonly bool _outer = _skipping;

        public Skip() => _skipping = true;

        public void Dispose() => _skipping = _outer;
    }
}

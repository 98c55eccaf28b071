namespace Tandem.Benchmarks;

/// <summary>Matrix-product FLOPs (2 per multiply-add) of the MiniLM-shaped model's workloads, the work an achieved
/// GFLOP/s is counted from. Embedding lookups, softmax, LayerNorm and activations are left out.</summary>
public static class MatmulFlops
{
    const double H = MiniLmShape.Hidden, I = MiniLmShape.Intermediate, V = MiniLmShape.Vocab, L = MiniLmShape.Layers;

    /// <summary>One layer's projections and feed-forward for one token.</summary>
    const double TokenLayer = 2 * (4 * H * H + 2 * H * I);

    /// <summary>The encoder on <paramref name="batch"/> sequences of <paramref name="length"/> tokens.</summary>
    public static double Encoder(int batch, int length) =>
        L * ((double)batch * length * TokenLayer + batch * 4.0 * length * length * H);

    /// <summary>The decoder over <paramref name="target"/> tokens at once (teacher forcing), its cross-attention on
    /// <paramref name="source"/> encoder states, and the LM head.</summary>
    public static double Decoder(int batch, int target, int source)
    {
        double self = (double)batch * target * TokenLayer + batch * 4.0 * target * target * H;
        double cross = batch * (target + (double)source) * 2 * 2 * H * H + batch * 4.0 * target * source * H;
        return L * (self + cross) + (double)batch * target * 2 * (H * H + H * V);
    }

    /// <summary>A training step: forward, and backward at twice the forward's products.</summary>
    public static double TrainStep(int batch, int source, int target) => 3 * (Encoder(batch, source) + Decoder(batch, target, source));

    /// <summary>Generating <paramref name="newTokens"/> tokens with the key/value cache for <paramref name="rows"/>
    /// rows (batch x beams) from <paramref name="batch"/> sources of <paramref name="source"/> tokens: the encoder and
    /// the cross-attention keys and values once, then one token per row and step.</summary>
    public static double Generation(int batch, int rows, int source, int newTokens)
    {
        double total = Encoder(batch, source) + L * (double)rows * source * 2 * 2 * H * H;
        for (int t = 1; t <= newTokens; t++)
            total += rows * (L * (TokenLayer + 2 * 2 * H * H + 4.0 * t * H + 4.0 * source * H) + 2 * (H * H + H * V));
        return total;
    }
}

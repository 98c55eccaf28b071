using Tandem.Models.Bert;
using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Embeddings;

/// <summary>
/// Sentence embeddings the sentence-transformers way for all-MiniLM-L6-v2: the last hidden states averaged over
/// the tokens the attention mask keeps, then scaled to unit length (so cosine similarity is a dot product).
/// </summary>
public static class SentenceEmbedder
{
    /// <summary>Embeds a batch: one unit-length vector of <c>hidden</c> floats per row. The model runs in eval mode
    /// without gradients; its training mode is restored afterwards.</summary>
    /// <param name="model">The encoder.</param>
    /// <param name="inputIds">Token ids <c>[batch, len]</c>, int64.</param>
    /// <param name="attentionMask">Padding mask <c>[batch, len]</c>, 1 for tokens and 0 for padding.</param>
    public static float[][] Embed(BertModel model, Tensor inputIds, Tensor attentionMask)
    {
        if (inputIds.dim() != 2 || !inputIds.shape.SequenceEqual(attentionMask.shape))
            throw new TandemException($"input ids {Shape(inputIds)} and attention mask {Shape(attentionMask)} must both be [batch, len]");
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            using var output = model.forward(inputIds, attentionMask);
            var hidden = output.LastHiddenState.to(ScalarType.Float32);                           // [batch, len, hidden]
            var mask = attentionMask.to(ScalarType.Float32).unsqueeze(-1);                        // [batch, len, 1]
            var summed = (hidden * mask).sum(1);                                                 // [batch, hidden]
            var counts = mask.sum(1).clamp_min(1e-9);                                            // [batch, 1]
            var mean = summed / counts;                                                          // [batch, hidden]
            var unit = nn.functional.normalize(mean, p: 2, dim: 1, eps: 1e-12).cpu().contiguous(); // [batch, hidden]
            var flat = unit.data<float>().ToArray();
            int batch = (int)unit.size(0), width = (int)unit.size(1);
            var result = new float[batch][];
            for (int b = 0; b < batch; b++) result[b] = flat.AsSpan(b * width, width).ToArray();
            return result;
        }
        finally
        {
            if (wasTraining) model.train();
        }
    }

    /// <summary>Cosine similarity of two vectors of the same length (a dot product for <see cref="Embed"/>'s unit vectors).</summary>
    public static double Cosine(float[] a, float[] b)
    {
        if (a.Length != b.Length) throw new TandemException($"cannot compare embeddings of lengths {a.Length} and {b.Length}");
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }

    static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";
}

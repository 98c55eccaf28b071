using System.Runtime.InteropServices;
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
            var hidden = output.LastHiddenState.to(ScalarType.Float32).cpu().contiguous();        // [batch, len, hidden]
            int batch = (int)hidden.size(0), len = (int)hidden.size(1), width = (int)hidden.size(2);
            var mask = attentionMask.to(ScalarType.Int64).cpu().contiguous();                     // [batch, len]
            return Pool(MemoryMarshal.Cast<byte, float>(hidden.bytes), MemoryMarshal.Cast<byte, long>(mask.bytes), batch, len, width);
        }
        finally
        {
            if (wasTraining) model.train();
        }
    }

    /// <summary>Embeds a batch with an encoder ONNX Runtime runs (<see cref="OnnxEncoder"/>), from token ids and a
    /// padding mask flattened <c>[batch, len]</c>: the same vectors as <see cref="Embed(BertModel, Tensor, Tensor)"/>
    /// within float32 rounding, without libtorch.</summary>
    public static float[][] Embed(OnnxEncoder encoder, long[] inputIds, long[] attentionMask, int batch, int len)
    {
        var (hidden, width) = encoder.Encode(inputIds, attentionMask, null, batch, len);
        return Pool(hidden, attentionMask, batch, len, width);
    }

    /// <summary>Mean pooling of the last hidden states <paramref name="hidden"/> (flattened <c>[batch, len, width]</c>)
    /// over the tokens <paramref name="attentionMask"/> (flattened <c>[batch, len]</c>) keeps, each mean scaled to unit
    /// length (a zero vector stays zero): one vector per row, accumulated in float64.</summary>
    public static float[][] Pool(ReadOnlySpan<float> hidden, ReadOnlySpan<long> attentionMask, int batch, int len, int width)
    {
        if (hidden.Length != (long)batch * len * width || attentionMask.Length != (long)batch * len)
            throw new TandemException($"{hidden.Length} hidden values and {attentionMask.Length} mask values for {batch} x {len} tokens of width {width}");
        var result = new float[batch][];
        var sum = new double[width];
        for (int b = 0; b < batch; b++)
        {
            Array.Clear(sum);
            for (int t = 0; t < len; t++)
            {
                if (attentionMask[b * len + t] == 0) continue;
                var row = hidden.Slice((b * len + t) * width, width);
                for (int i = 0; i < width; i++) sum[i] += row[i];
            }
            double norm = 0;
            for (int i = 0; i < width; i++) norm += sum[i] * sum[i];
            double scale = norm > 0 ? 1 / Math.Sqrt(norm) : 0;                                   // the mean's count cancels
            result[b] = new float[width];
            for (int i = 0; i < width; i++) result[b][i] = (float)(sum[i] * scale);
        }
        return result;
    }

    /// <summary>Cosine similarity of two vectors of the same length (a dot product for <see cref="Pool"/>'s unit vectors).</summary>
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

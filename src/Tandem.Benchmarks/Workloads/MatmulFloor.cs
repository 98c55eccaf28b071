using static TorchSharp.torch;

namespace Tandem.Benchmarks.Workloads;

/// <summary>One matrix product of a workload, <paramref name="Count"/> times: <c>[Batch, M, K] x [Batch, K, N]</c>
/// (attention's scores and context), or with <paramref name="Batch"/> 0 a layer's <c>[M, K]</c> input times its
/// weight, stored as <see cref="Modeling.Linear"/> stores it (<c>[N, K]</c>, column-major).</summary>
public sealed record Product(string Name, int Count, long Batch, long M, long K, long N)
{
    /// <summary>Forward FLOPs of all <see cref="Count"/> products (2 per multiply-add).</summary>
    public double ForwardFlops => 2.0 * Count * Math.Max(1, Batch) * M * K * N;
}

/// <summary>
/// The matrix products of a workload alone, at its shapes: each a product of tensors in one dtype (for training,
/// leaves multiplied forward and backward: its two gradient products), with nothing between them. Their time is a
/// floor under the workload's on this machine: the workload as it would run with every other operation (conversions,
/// LayerNorm, GELU, softmax, dropout, embeddings, the loss, the optimiser, autograd's bookkeeping) free.
/// </summary>
public static class MatmulFloor
{
    const int H = MiniLmShape.Hidden, I = MiniLmShape.Intermediate, V = MiniLmShape.Vocab, L = MiniLmShape.Layers;
    const int HeadDim = H / MiniLmShape.Heads;

    /// <summary>The products of <see cref="TrainingStep"/>'s step of <paramref name="batch"/> pairs of
    /// <paramref name="source"/> and <paramref name="target"/> tokens in the MiniLM-shaped BERT2BERT, forward (their
    /// FLOPs, three times over, are <see cref="MatmulFlops.TrainStep"/>'s).</summary>
    public static IReadOnlyList<Product> Training(int batch, int source, int target)
    {
        long heads = (long)batch * MiniLmShape.Heads, encoder = (long)batch * source, decoder = (long)batch * target;
        return
        [
            .. Encoder(batch, source),
            new("decoder query, key, value, output; cross query, output", 6 * L, 0, decoder, H, H),
            new("decoder cross key, value", 2 * L, 0, encoder, H, H),
            new("decoder feed-forward in", L, 0, decoder, H, I),
            new("decoder feed-forward out", L, 0, decoder, I, H),
            new("decoder attention scores", L, heads, target, HeadDim, target),
            new("decoder attention context", L, heads, target, target, HeadDim),
            new("decoder cross-attention scores", L, heads, target, HeadDim, source),
            new("decoder cross-attention context", L, heads, target, source, HeadDim),
            new("LM head transform", 1, 0, decoder, H, H),
            new("LM head output", 1, 0, decoder, H, V),
        ];
    }

    /// <summary>The products of the MiniLM-shaped encoder's pass over <paramref name="batch"/> x <paramref name="length"/>
    /// tokens (<see cref="EncoderForward"/>; their FLOPs are <see cref="MatmulFlops.Encoder"/>'s).</summary>
    public static IReadOnlyList<Product> Encoder(int batch, int length)
    {
        long heads = (long)batch * MiniLmShape.Heads, tokens = (long)batch * length;
        return
        [
            new("encoder query, key, value, output", 4 * L, 0, tokens, H, H),
            new("encoder feed-forward in", L, 0, tokens, H, I),
            new("encoder feed-forward out", L, 0, tokens, I, H),
            new("encoder attention scores", L, heads, length, HeadDim, length),
            new("encoder attention context", L, heads, length, length, HeadDim),
        ];
    }

    /// <summary>Median seconds of all <paramref name="products"/> in <paramref name="dtype"/>: forward only without
    /// gradients (inference), or forward and backward with <paramref name="backward"/> (training).</summary>
    public static double Time(IReadOnlyList<Product> products, ScalarType dtype, bool backward, int warmUp, int runs)
    {
        manual_seed(0);
        using var scope = NewDisposeScope();
        var operands = products.Select(p => Operands(p, dtype, backward)).ToList();
        using var noGrad = backward ? null : no_grad();
        return Repeat.MedianSeconds(warmUp, runs, () =>
        {
            for (int i = 0; i < products.Count; i++)
            {
                var (x, w, gradient) = operands[i];
                for (int c = 0; c < products[i].Count; c++)
                {
                    using var step = NewDisposeScope();
                    var y = products[i].Batch > 0 ? x.matmul(w) : Tandem.Kernels.Float32Linear.Apply(x, w, null);    // the kernel Linear uses
                    if (!backward) continue;
                    y.backward([gradient]);
                    x.grad = null;                                                             // set to none, as the trainer's zero_grad
                    w.grad = null;
                }
            }
        });
    }

    static (Tensor X, Tensor W, Tensor Gradient) Operands(Product p, ScalarType dtype, bool backward)
    {
        using var noGrad = no_grad();
        var (x, w, y) = p.Batch > 0
            ? (randn(p.Batch, p.M, p.K).to(dtype), randn(p.Batch, p.K, p.N).to(dtype), randn(p.Batch, p.M, p.N).to(dtype))
            : (randn(p.M, p.K).to(dtype), randn(p.K, p.N).to(dtype).t(), randn(p.M, p.N).to(dtype));  // W [N, K], column-major
        return backward ? (x.requires_grad_(), w.requires_grad_(), y) : (x, w, y);
    }
}

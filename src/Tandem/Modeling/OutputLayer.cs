using TorchSharp;
using TorchSharp.Modules;
using Tandem.Kernels;
using Tandem.Native;
using static TorchSharp.torch;

namespace Tandem.Modeling;

/// <summary>
/// The last step of an LM head, shared by the families: the output layer <c>[vocab, hidden]</c> (tied to the word
/// embeddings or its own) with a bias, and the transposed copy decoding sessions read it through.
/// </summary>
internal static class OutputLayer
{
    /// <summary>The output layer: <paramref name="tiedWeight"/> when given, else a new weight ~ N(0, <paramref name="std"/>);
    /// its bias is <paramref name="bias"/> (the head's own <c>bias</c> parameter, one tensor under two names).</summary>
    public static Linear Create(Parameter? tiedWeight, Parameter bias, long vocab, long hidden, double std)
    {
        var weight = tiedWeight;
        if (weight is null)
        {
            weight = new Parameter(empty(vocab, hidden));
            using (no_grad()) weight.normal_(0, std);
        }
        return new Linear(weight, bias);
    }

    /// <summary>
    /// A copy of the output weight transposed to <c>[hidden, vocab]</c>, contiguous, in the matmul dtype in force
    /// (<see cref="Autocast"/>). Decoding sessions keep one for their lifetime: with a single row per step the
    /// product reads the vocab x hidden matrix once per token, and libtorch reads it about twice as fast in this
    /// layout as through <c>linear</c>'s transposed view. The caller owns (disposes) it.
    /// </summary>
    public static Tensor Transposed(Linear output)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var weight = output.weight.detach();
        if (Autocast.Dtype is { } dt) weight = weight.to(dt);                                   // the transpose then moves half the bytes
        return weight.t().contiguous().MoveToOuterDisposeScope();                               // [hidden, vocab]
    }

    /// <summary>Logits <c>[batch, len, vocab]</c> of <paramref name="hidden"/>; with <paramref name="transposedWeight"/>
    /// (from <see cref="Transposed"/>) the product reads that copy instead of the parameter.</summary>
    public static Tensor Logits(Linear output, Tensor hidden, Tensor? transposedWeight)
    {
        using var scope = NewDisposeScope();
        if (transposedWeight is null) return output.forward(hidden).MoveToOuterDisposeScope();   // [batch, len, vocab]
        if (Bf16Matvec.TryMultiply(hidden, transposedWeight, output.bias) is { } few)
            return few.MoveToOuterDisposeScope();                                                // [batch, len, vocab], 1-4 rows in bf16
        var logits = hidden.to(transposedWeight.dtype).matmul(transposedWeight);                 // [batch, len, vocab]
        if (output.bias is { } bias) logits = logits.AddInPlace(bias.to(transposedWeight.dtype));       // GPT-2's lm_head has none
        return logits.MoveToOuterDisposeScope();
    }
}

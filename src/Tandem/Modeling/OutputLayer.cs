using TorchSharp;
using TorchSharp.Modules;
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
    /// A copy of the output weight laid out for decoding, which decoding sessions keep for their lifetime: with a few
    /// rows per step the product reads the vocab x hidden matrix once per token, and its layout decides how fast.
    /// In float32 it is the transpose <c>[hidden, vocab]</c>, contiguous: MKL streams it about twice as fast as
    /// through <c>linear</c>'s transposed view (1.36 ms against 2.63 ms for MiniLM's 30522 x 384 at one row). In the
    /// matmul dtype of an <see cref="Autocast"/> scope (bf16) it is <c>[vocab, hidden]</c>, contiguous, as stored:
    /// oneDNN multiplies through that transposed view 1.55x as fast as through a <c>[hidden, vocab]</c> copy (1.32 ms
    /// against 2.04-2.10 ms at one to four rows; <c>bench/Tandem.Bench -- matvec</c>), and the copy is a plain
    /// conversion, not a strided transpose. <see cref="Logits"/> tells the two apart by dtype. The caller owns
    /// (disposes) it.
    /// </summary>
    public static Tensor DecodingCopy(Linear output)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var weight = output.weight.detach();                                                    // [vocab, hidden]
        var dt = Autocast.Dtype ?? weight.dtype;                                                 // the layout follows the copy's dtype
        var copy = dt == ScalarType.Float32 ? weight.t().contiguous() : weight.to(dt).contiguous();
        return copy.MoveToOuterDisposeScope();
    }

    /// <summary>Logits <c>[batch, len, vocab]</c> of <paramref name="hidden"/>; with <paramref name="decodingWeight"/>
    /// (from <see cref="DecodingCopy"/>: float32 <c>[hidden, vocab]</c>, else <c>[vocab, hidden]</c>) the product reads
    /// that copy instead of the parameter.</summary>
    public static Tensor Logits(Linear output, Tensor hidden, Tensor? decodingWeight)
    {
        using var scope = NewDisposeScope();
        if (decodingWeight is null) return output.forward(hidden).MoveToOuterDisposeScope();   // [batch, len, vocab]
        var h = hidden.to(decodingWeight.dtype);
        var logits = decodingWeight.dtype == ScalarType.Float32
            ? h.matmul(decodingWeight)                                                         // [batch, len, vocab]
            : h.matmul(decodingWeight.t());
        if (output.bias is { } bias) logits = logits.add_(bias.to(decodingWeight.dtype));       // GPT-2's lm_head has none
        return logits.MoveToOuterDisposeScope();
    }
}

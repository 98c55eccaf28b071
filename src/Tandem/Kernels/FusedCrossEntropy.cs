using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Tandem.Kernels;

/// <summary>
/// Mean cross-entropy with label smoothing and an ignored label, as libtorch's <c>cross_entropy</c> computes it, in one
/// pass per row over float32 or bf16 logits on the CPU, which also writes the gradient for the backward pass. libtorch's
/// way for bf16 logits (widen to float32, <c>log_softmax</c>, <c>nll_loss</c>; backward: a zero-filled float32
/// gradient, the <c>log_softmax</c> backward, narrowing to bf16) makes six passes over 1024 x 30522 values at a
/// training step of the project's workload and four buffers of 62-125 MB; this reads the logits once into cache
/// per row and writes one gradient in the logits' dtype. Rows run on <c>get_num_threads()</c> threads; the loss is
/// summed in row order, so it does not depend on the thread count.
/// </summary>
internal static class FusedCrossEntropy
{
    /// <summary>
    /// The mean loss (a float32 scalar that back-propagates into <paramref name="logits"/>) of <paramref name="logits"/>
    /// <c>[rows, vocab]</c> against <paramref name="labels"/> <c>[rows]</c> (int64; <paramref name="ignoreIndex"/> marks
    /// rows left out); null where the kernel does not apply (another device or dtype, a label out of range, no row
    /// counted, more than 2 GB of logits), and the caller runs libtorch's, which also reports bad labels.
    /// </summary>
    public static Tensor? TryLoss(Tensor logits, Tensor labels, long ignoreIndex, double labelSmoothing)
    {
        if (logits.device_type != TorchSharp.DeviceType.CPU || labels.device_type != TorchSharp.DeviceType.CPU
            || logits.dim() != 2 || logits.dtype is not (ScalarType.Float32 or ScalarType.BFloat16) || labels.dtype != ScalarType.Int64
            || labels.dim() != 1 || labels.size(0) != logits.size(0) || logits.size(1) is 0 or > int.MaxValue
            || logits.numel() * logits.ElementSize > int.MaxValue || labelSmoothing is < 0 or > 1)
            return null;
        long[] targets;
        using (var contiguousLabels = labels.contiguous()) targets = MemoryMarshal.Cast<byte, long>(contiguousLabels.bytes).ToArray();
        long vocab = logits.size(1);
        int counted = 0;
        foreach (long t in targets)
        {
            if (t == ignoreIndex) continue;
            if (t < 0 || t >= vocab) return null;
            counted++;
        }
        if (counted == 0) return null;
        bool gradient = is_grad_enabled() && logits.requires_grad;
        return Function.apply(logits.contiguous(), targets, ignoreIndex, labelSmoothing, counted, gradient);
    }

    /// <summary>The autograd node: forward computes the loss and, when the logits require a gradient, the gradient
    /// of the mean loss; backward scales it by the incoming gradient.</summary>
    sealed class Function : autograd.SingleTensorFunction<Function>
    {
        public override string Name => "FusedCrossEntropy";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var (logits, targets) = ((Tensor)vars[0], (long[])vars[1]);
            var (ignoreIndex, smoothing, counted) = ((long)vars[2], (double)vars[3], (int)vars[4]);
            var gradient = (bool)vars[5] ? empty_like(logits) : null;
            double total = Run(logits, targets, ignoreIndex, (float)smoothing, counted, gradient);
            if (gradient is not null) ctx.save_for_backward([gradient]);                         // freed with the graph, used or not
            return tensor((float)(total / counted));
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            var gradient = ctx.get_saved_variables()[0];
            float scale = gradOutput.item<float>();
            if (scale != 1f) gradient = gradient * scale;                                        // not in place: a retained graph may run again
            return [gradient, null!, null!, null!, null!, null!];
        }
    }

    /// <summary>The summed loss of every counted row; fills <paramref name="gradient"/> (same shape and dtype as
    /// <paramref name="logits"/>) with d(mean loss)/d(logits) when given.</summary>
    static double Run(Tensor logits, long[] targets, long ignoreIndex, float smoothing, int counted, Tensor? gradient)
    {
        int rows = (int)logits.size(0), vocab = (int)logits.size(1);
        var losses = new double[rows];
        Parallel.For(0, rows, KernelThreads.Options(),
            () => new float[vocab],
            (r, _, exps) =>
            {
                var grad = gradient is null ? default : gradient.bytes.Slice(r * vocab * (int)gradient.ElementSize, vocab * (int)gradient.ElementSize);
                if (targets[r] == ignoreIndex)
                {
                    grad.Clear();
                    return exps;
                }
                Load(logits.bytes.Slice(r * vocab * (int)logits.ElementSize, vocab * (int)logits.ElementSize), logits.dtype, exps);
                losses[r] = Row(exps, (int)targets[r], smoothing, counted, gradient is not null);
                if (gradient is not null) Store(exps, grad, gradient.dtype);
                return exps;
            },
            _ => { });
        double total = 0;
        foreach (double l in losses) total += l;
        return total;
    }

    /// <summary>One row of float32 or bf16 logits <paramref name="bytes"/> as float32 into <paramref name="row"/>.</summary>
    static void Load(ReadOnlySpan<byte> bytes, ScalarType dtype, Span<float> row)
    {
        if (dtype == ScalarType.Float32)
        {
            MemoryMarshal.Cast<byte, float>(bytes).CopyTo(row);
            return;
        }
        Bf16Matvec.Widen(MemoryMarshal.Cast<byte, ushort>(bytes), row);
    }

    /// <summary>A row's gradient in float32 or bf16 (rounded to nearest even) into <paramref name="bytes"/>.</summary>
    static void Store(ReadOnlySpan<float> row, Span<byte> bytes, ScalarType dtype)
    {
        if (dtype == ScalarType.Float32) row.CopyTo(MemoryMarshal.Cast<byte, float>(bytes));
        else Bf16Matvec.Round(row, MemoryMarshal.Cast<byte, ushort>(bytes));
    }

    /// <summary>
    /// The loss of one row, <c>(1 - s) (lse - x[label]) + s (lse - mean(x))</c>. <paramref name="row"/> holds the
    /// logits on entry; on exit their exponentials, or with <paramref name="gradient"/> the gradient of the mean loss,
    /// <c>(softmax(x) - (1 - s) onehot(label) - s / vocab) / counted</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static double Row(Span<float> row, int label, float smoothing, int counted, bool gradient)
    {
        int vocab = row.Length, i, n = Vector<float>.Count;
        var maxV = new Vector<float>(float.NegativeInfinity);
        var sumV = Vector<float>.Zero;
        for (i = 0; i + n <= vocab; i += n)
        {
            var x = new Vector<float>(row[i..]);
            maxV = Vector.Max(maxV, x);
            sumV += x;
        }
        float max = float.NegativeInfinity, sumX = 0;
        for (int k = 0; k < n; k++) { max = MathF.Max(max, maxV[k]); sumX += sumV[k]; }
        for (; i < vocab; i++) { max = MathF.Max(max, row[i]); sumX += row[i]; }
        float labelLogit = row[label];

        var maxB = new Vector<float>(max);
        var expSumV = Vector<float>.Zero;
        for (i = 0; i + n <= vocab; i += n)
        {
            var e = Vector.Exp(new Vector<float>(row[i..]) - maxB);
            e.CopyTo(row[i..]);
            expSumV += e;
        }
        float expSum = Vector.Sum(expSumV);
        for (; i < vocab; i++) { row[i] = MathF.Exp(row[i] - max); expSum += row[i]; }
        double lse = max + Math.Log(expSum);
        double loss = (1 - smoothing) * (lse - labelLogit) + smoothing * (lse - (double)sumX / vocab);
        if (!gradient) return loss;

        float scale = 1f / (expSum * counted), offset = smoothing / vocab / counted;
        var scaleV = new Vector<float>(scale);
        var offsetV = new Vector<float>(offset);
        for (i = 0; i + n <= vocab; i += n) (new Vector<float>(row[i..]) * scaleV - offsetV).CopyTo(row[i..]);
        for (; i < vocab; i++) row[i] = row[i] * scale - offset;
        row[label] -= (1 - smoothing) / counted;
        return loss;
    }
}

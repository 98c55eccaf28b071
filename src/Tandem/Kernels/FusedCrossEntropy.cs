using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Tandem.Native;
using static TorchSharp.torch;

namespace Tandem.Kernels;

/// <summary>
/// Mean cross-entropy with label smoothing and an ignored label, as libtorch's <c>cross_entropy</c> computes it, in one
/// pass per row over float32 or bf16 logits on the CPU, which also writes the gradient for the backward pass. libtorch's
/// way for bf16 logits (widen to float32, <c>log_softmax</c>, <c>nll_loss</c>; backward: a zero-filled float32
/// gradient, the <c>log_softmax</c> backward, narrowing to bf16) makes six passes over 1024 x 30522 values at a
/// training step of the project's workload and four buffers of 62-125 MB; this reads the logits once into cache
/// per row and writes one gradient in the logits' dtype. Per row: widen while taking the maximum and sum, the
/// exponentials (<see cref="VectorExp"/>, once each), the gradient scaled and narrowed as it is written. At that
/// workload's 1024 x 30522 bf16 logits: 21-24 ms against 28-30 ms with .NET's <c>Vector.Exp</c> and a pass for each
/// step (2 threads, alternating in one process; 32 against 47 ms on one). The row functions run at AVX-512's width
/// where the runtime accelerates it (<see cref="Lanes.Wide"/>): <c>bench/Tandem.Bench -- loss</c>, forward and
/// backward, 10.4-11.4 ms against 14.4-16.1 ms at 256 bits (<c>DOTNET_PreferredVectorBitWidth=256</c>, alternating
/// runs) and libtorch's 28-41 ms. Rows run on <c>get_num_threads()</c> threads; the loss is summed in row order, so it
/// does not depend on the thread count.
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
            if (scale != 1f) gradient = gradient.Mul(scale);                                        // not in place: a retained graph may run again
            return [gradient, null!, null!, null!, null!, null!];
        }
    }

    /// <summary>The summed loss of every counted row; fills <paramref name="gradient"/> (same shape and dtype as
    /// <paramref name="logits"/>) with d(mean loss)/d(logits) when given.</summary>
    static double Run(Tensor logits, long[] targets, long ignoreIndex, float smoothing, int counted, Tensor? gradient) =>
        Lanes.Wide
            ? Run<Lanes512>(logits, targets, ignoreIndex, smoothing, counted, gradient)
            : Run<LanesVector>(logits, targets, ignoreIndex, smoothing, counted, gradient);

    /// <summary>As <see cref="Run(Tensor, long[], long, float, int, Tensor?)"/>, at the width of <typeparamref name="TLanes"/>.</summary>
    static double Run<TLanes>(Tensor logits, long[] targets, long ignoreIndex, float smoothing, int counted, Tensor? gradient)
        where TLanes : struct, ILanes<TLanes>
    {
        int rows = (int)logits.size(0), vocab = (int)logits.size(1), rowBytes = vocab * (int)logits.ElementSize;
        var losses = new double[rows];
        Parallel.For(0, rows, KernelThreads.Options(),
            () => new float[vocab],
            (r, _, values) =>
            {
                var grad = gradient is null ? default : gradient.bytes.Slice(r * rowBytes, rowBytes);
                if (targets[r] == ignoreIndex)
                {
                    grad.Clear();
                    return values;
                }
                int label = (int)targets[r];
                var (max, sum) = Load<TLanes>(logits.bytes.Slice(r * rowBytes, rowBytes), logits.dtype, values);
                float labelLogit = values[label];
                float expSum = VectorExp.Exponentials<TLanes>(values, max);
                double lse = max + Math.Log(expSum);
                losses[r] = (1 - smoothing) * (lse - labelLogit) + smoothing * (lse - (double)sum / vocab);
                if (gradient is not null)
                {
                    // d(mean loss)/dx = (softmax(x) - (1 - s) onehot(label) - s / vocab) / counted
                    float scale = 1f / (expSum * counted), offset = smoothing / vocab / counted;
                    float labelGradient = values[label] * scale - offset - (1 - smoothing) / counted;
                    Store<TLanes>(values, scale, offset, grad, gradient.dtype);
                    if (gradient.dtype == ScalarType.Float32) MemoryMarshal.Cast<byte, float>(grad)[label] = labelGradient;
                    else MemoryMarshal.Cast<byte, ushort>(grad)[label] = Bf16Bits.ToBf16(labelGradient);
                }
                return values;
            },
            _ => { });
        double total = 0;
        foreach (double l in losses) total += l;
        return total;
    }

    /// <summary>One row of float32 or bf16 logits <paramref name="bytes"/> as float32 into <paramref name="row"/>, with
    /// their maximum and sum, in one pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static (float Max, float Sum) Load<TLanes>(ReadOnlySpan<byte> bytes, ScalarType dtype, Span<float> row) where TLanes : struct, ILanes<TLanes>
    {
        var (max0, max1) = (TLanes.Create(float.NegativeInfinity), TLanes.Create(float.NegativeInfinity));
        var (sum0, sum1) = (TLanes.Create(0f), TLanes.Create(0f));
        int i = 0, n = TLanes.Count;
        if (dtype == ScalarType.Float32)
        {
            var source = MemoryMarshal.Cast<byte, float>(bytes);
            for (; i + 2 * n <= row.Length; i += 2 * n)
            {
                var (a, b) = (TLanes.Load(source[i..]), TLanes.Load(source[(i + n)..]));
                a.Store(row[i..]);
                b.Store(row[(i + n)..]);
                (max0, max1, sum0, sum1) = (TLanes.Max(max0, a), TLanes.Max(max1, b), sum0 + a, sum1 + b);
            }
            source[i..].CopyTo(row[i..]);
        }
        else
        {
            var bits = MemoryMarshal.Cast<byte, ushort>(bytes);
            for (; i + 2 * n <= row.Length; i += 2 * n)
            {
                var (a, b) = Bf16Bits.Widen<TLanes>(bits[i..]);
                a.Store(row[i..]);
                b.Store(row[(i + n)..]);
                (max0, max1, sum0, sum1) = (TLanes.Max(max0, a), TLanes.Max(max1, b), sum0 + a, sum1 + b);
            }
            for (int k = i; k < row.Length; k++) row[k] = Bf16Bits.ToFloat(bits[k]);
        }
        float max = TLanes.Max(max0, max1).Maximum(), sum = (sum0 + sum1).Sum();
        for (; i < row.Length; i++) (max, sum) = (MathF.Max(max, row[i]), sum + row[i]);
        return (max, sum);
    }

    /// <summary><c>row * scale - offset</c> into <paramref name="bytes"/> as float32 or bf16 (rounded to nearest even).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Store<TLanes>(ReadOnlySpan<float> row, float scale, float offset, Span<byte> bytes, ScalarType dtype) where TLanes : struct, ILanes<TLanes>
    {
        var (scaleV, offsetV) = (TLanes.Create(scale), TLanes.Create(offset));
        int i = 0, n = TLanes.Count;
        if (dtype == ScalarType.Float32)
        {
            var target = MemoryMarshal.Cast<byte, float>(bytes);
            for (; i + n <= row.Length; i += n) (TLanes.Load(row[i..]) * scaleV - offsetV).Store(target[i..]);
            for (; i < row.Length; i++) target[i] = row[i] * scale - offset;
            return;
        }
        var bits = MemoryMarshal.Cast<byte, ushort>(bytes);
        for (; i + 2 * n <= row.Length; i += 2 * n)
            Bf16Bits.Narrow(TLanes.Load(row[i..]) * scaleV - offsetV, TLanes.Load(row[(i + n)..]) * scaleV - offsetV, bits[i..]);
        for (; i < row.Length; i++) bits[i] = Bf16Bits.ToBf16(row[i] * scale - offset);
    }
}

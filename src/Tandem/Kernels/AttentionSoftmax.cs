using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Tandem.Kernels;

/// <summary>
/// Training attention's middle on the CPU in one pass per row, forward and backward: <c>dropout(softmax(scores +
/// mask))</c> in the scores' dtype, computed in float32, as the sequence of libtorch operations it replaces
/// (<c>Modeling.MultiHeadAttention</c>: the float32 mask's addition, which widens bf16 scores, <c>softmax</c>, the
/// dropout mask's product, the narrowing for the product with the values; and in backward each of their gradients).
/// Those make five passes over the scores in float32 forward and four backward, for every attention of a training step;
/// this one reads the scores once and writes the probabilities once (and keeps the float32 softmax for backward, which
/// reads it and the incoming gradient once and writes the scores' gradient once). The MiniLM-shaped BERT2BERT's bf16
/// training step, alternating with those operations in one process: step by step, seven runs of 20 pairs, faster in six
/// (30-48 ms in the median), 20 ms slower in one; in blocks of six steps, three runs, 21-25 ms faster in two, 19 ms
/// slower in one (this VM's noise). Dropout uses <see cref="DropoutMask"/>'s masks, drawn from the same generator at
/// the same point, so a seed gives the same masks as the operations it replaces; backward recomputes the mask from its
/// seed instead of keeping it.
/// </summary>
internal static class AttentionSoftmax
{
    /// <summary>Rows per unit of work on a thread: a few hundred to a few thousand elements each.</summary>
    const int RowsPerBlock = 32;

    /// <summary>
    /// <c>dropout(softmax(scores + mask, -1), p)</c> of <paramref name="scores"/> <c>[batch, heads, tgt, src]</c>
    /// (float32 or bf16, contiguous) with the float32 additive <paramref name="mask"/> (or null) broadcast to it
    /// (<c>[batch or 1, heads or 1, tgt or 1, src]</c>), in the scores' dtype; differentiable in the scores. Null
    /// where the kernel does not apply (another device, dtype or layout; more than 2 G elements), and the caller runs
    /// libtorch's operations.
    /// </summary>
    public static Tensor? TryApply(Tensor scores, Tensor? mask, double p)
    {
        if (scores.device_type != TorchSharp.DeviceType.CPU || scores.dim() != 4 || !scores.is_contiguous()
            || scores.dtype is not (ScalarType.Float32 or ScalarType.BFloat16) || scores.numel() is 0 or > int.MaxValue
            || scores.size(3) > 1 << 20 || p is < 0 or >= 1)
            return null;
        MaskRows? rows = null;
        if (mask is not null && (rows = MaskRows.For(mask, scores.shape)) is null) return null;
        var dropout = p > 0 ? new DropoutDraw(DropoutMask.Keep(p), (float)(1.0 / (1.0 - p)), DropoutMask.DrawSeed()) : (DropoutDraw?)null;
        bool gradient = is_grad_enabled() && scores.requires_grad;
        using (rows) return Function.apply(scores, rows!, dropout!, gradient);
    }

    /// <summary>A dropout mask's parameters (see <see cref="DropoutMask"/>).</summary>
    sealed record DropoutDraw(uint Keep, float Scale, ulong Seed);

    /// <summary>The float32 mask's row for each row of the scores: its contiguous copy and the element offsets of a
    /// (batch, head, query) position, zero along the dimensions it broadcasts over.</summary>
    sealed class MaskRows : IDisposable
    {
        public required Tensor Values { get; init; }
        public required long BatchStride { get; init; }
        public required long HeadStride { get; init; }
        public required long QueryStride { get; init; }

        public static MaskRows? For(Tensor mask, long[] shape)
        {
            if (mask.device_type != TorchSharp.DeviceType.CPU || mask.dim() != 4 || mask.size(3) != shape[3]) return null;
            for (int d = 0; d < 3; d++)
                if (mask.size(d) != 1 && mask.size(d) != shape[d]) return null;
            var values = mask.to(ScalarType.Float32).contiguous();
            long Stride(int d) => values.size(d) == 1 ? 0 : values.stride(d);
            return new MaskRows { Values = values, BatchStride = Stride(0), HeadStride = Stride(1), QueryStride = Stride(2) };
        }

        public long Offset(long row, long heads, long queries) =>
            row / (heads * queries) * BatchStride + row / queries % heads * HeadStride + row % queries * QueryStride;

        public void Dispose() => Values.Dispose();
    }

    /// <summary>The autograd node: forward writes the probabilities and keeps the float32 softmax; backward turns
    /// the probabilities' gradient into the scores'.</summary>
    sealed class Function : autograd.SingleTensorFunction<Function>
    {
        public override string Name => "AttentionSoftmax";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var (scores, mask, dropout, gradient) = ((Tensor)vars[0], vars[1] as MaskRows, vars[2] as DropoutDraw, (bool)vars[3]);
            var output = empty_like(scores);
            var softmax = empty(scores.shape, ScalarType.Float32);
            Run(forward: true, scores, mask, dropout, softmax, output);
            ctx.save_data("dropout", dropout!);
            if (gradient) ctx.save_for_backward([softmax]);                                      // freed with the graph
            else softmax.Dispose();
            return output;
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            var softmax = ctx.get_saved_variables()[0];
            var dropout = ctx.get_data("dropout") as DropoutDraw;
            using var incoming = gradOutput.dtype is ScalarType.Float32 or ScalarType.BFloat16 ? gradOutput.contiguous() : gradOutput.to(ScalarType.Float32);
            var gradient = empty(softmax.shape, incoming.dtype);
            Run(forward: false, incoming, null, dropout, softmax, gradient);
            return [gradient, null!, null!, null!];
        }
    }

    /// <summary>Runs the row kernel forward (<paramref name="input"/> the scores) or backward (the incoming gradient)
    /// over every row on <c>get_num_threads()</c> threads, blocks of rows at a time, at <see cref="Lanes.Wide"/>'s width.</summary>
    static void Run(bool forward, Tensor input, MaskRows? mask, DropoutDraw? dropout, Tensor softmax, Tensor output)
    {
        if (Lanes.Wide) Run<Lanes512>(forward, input, mask, dropout, softmax, output);
        else Run<LanesVector>(forward, input, mask, dropout, softmax, output);
    }

    static void Run<TLanes>(bool forward, Tensor input, MaskRows? mask, DropoutDraw? dropout, Tensor softmax, Tensor output)
        where TLanes : struct, ILanes<TLanes>
    {
        long heads = softmax.size(1), queries = softmax.size(2);
        int width = (int)softmax.size(3), rows = (int)(softmax.numel() / width);
        int inBytes = width * (int)input.ElementSize, outBytes = width * (int)output.ElementSize;
        var (inputType, outputType) = (input.dtype, output.dtype);
        Parallel.For(0, (rows + RowsPerBlock - 1) / RowsPerBlock, KernelThreads.Options(),
            () => new float[width],
            (block, _, scratch) =>
            {
                var inputs = input.bytes;
                var softmaxes = MemoryMarshal.Cast<byte, float>(softmax.bytes);
                var outputs = output.bytes;
                var masks = mask is null ? default : MemoryMarshal.Cast<byte, float>(mask.Values.bytes);
                for (int r = block * RowsPerBlock, end = Math.Min(rows, r + RowsPerBlock); r < end; r++)
                {
                    Span<byte> row = inputs.Slice(r * inBytes, inBytes), target = outputs.Slice(r * outBytes, outBytes);
                    uint start = (uint)(r * width);
                    if (forward)
                        Forward<TLanes>(row, inputType, mask is null ? default : masks.Slice((int)mask.Offset(r, heads, queries), width),
                            softmaxes.Slice(r * width, width), target, outputType, dropout, start, scratch);
                    else Backward<TLanes>(row, inputType, softmaxes.Slice(r * width, width), target, outputType, dropout, start, scratch);
                }
                return scratch;
            },
            _ => { });
    }

    /// <summary>One row forward: <paramref name="softmax"/> = softmax(scores + mask), <paramref name="output"/> = it
    /// dropped out, in the output's dtype.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Forward<TLanes>(ReadOnlySpan<byte> scores, ScalarType scoresType, ReadOnlySpan<float> mask, Span<float> softmax,
        Span<byte> output, ScalarType outputType, DropoutDraw? dropout, uint start, Span<float> scratch) where TLanes : struct, ILanes<TLanes>
    {
        Bf16Bits.ToFloat32<TLanes>(scores, scoresType, softmax);
        float max = AddAndMax<TLanes>(softmax, mask);
        float scale = 1f / VectorExp.Exponentials<TLanes>(softmax, max);
        Scale<TLanes>(softmax, scale);
        if (dropout is null)
        {
            Bf16Bits.FromFloat32<TLanes>(softmax, output, outputType);
            return;
        }
        softmax.CopyTo(scratch);
        DropoutMask.Multiply<TLanes>(scratch, start, dropout.Keep, dropout.Scale, dropout.Seed);
        Bf16Bits.FromFloat32<TLanes>(scratch, output, outputType);
    }

    /// <summary>One row backward: the scores' gradient <c>y (g - sum(g y))</c> from the softmax <c>y</c> and the
    /// incoming gradient <c>g</c> (times the dropout mask).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Backward<TLanes>(ReadOnlySpan<byte> incoming, ScalarType incomingType, ReadOnlySpan<float> softmax,
        Span<byte> gradient, ScalarType gradientType, DropoutDraw? dropout, uint start, Span<float> scratch) where TLanes : struct, ILanes<TLanes>
    {
        Bf16Bits.ToFloat32<TLanes>(incoming, incomingType, scratch);
        if (dropout is not null) DropoutMask.Multiply<TLanes>(scratch, start, dropout.Keep, dropout.Scale, dropout.Seed);
        float dot = Dot<TLanes>(scratch, softmax);
        SoftmaxGradient<TLanes>(scratch, softmax, dot);
        Bf16Bits.FromFloat32<TLanes>(scratch, gradient, gradientType);
    }

    /// <summary><paramref name="row"/> += <paramref name="mask"/> (when given); returns the row's maximum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float AddAndMax<TLanes>(Span<float> row, ReadOnlySpan<float> mask) where TLanes : struct, ILanes<TLanes>
    {
        var maxV = TLanes.Create(float.NegativeInfinity);
        int i = 0, n = TLanes.Count;
        bool masked = !mask.IsEmpty;
        for (; i + n <= row.Length; i += n)
        {
            var x = TLanes.Load(row[i..]);
            if (masked) (x += TLanes.Load(mask[i..])).Store(row[i..]);
            maxV = TLanes.Max(maxV, x);
        }
        float max = maxV.Maximum();
        for (; i < row.Length; i++) max = MathF.Max(max, masked ? row[i] += mask[i] : row[i]);
        return max;
    }

    /// <summary><paramref name="row"/> *= <paramref name="scale"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Scale<TLanes>(Span<float> row, float scale) where TLanes : struct, ILanes<TLanes>
    {
        var scaleV = TLanes.Create(scale);
        int i = 0, n = TLanes.Count;
        for (; i + n <= row.Length; i += n) (TLanes.Load(row[i..]) * scaleV).Store(row[i..]);
        for (; i < row.Length; i++) row[i] *= scale;
    }

    /// <summary>The sum of <paramref name="a"/> times <paramref name="b"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float Dot<TLanes>(ReadOnlySpan<float> a, ReadOnlySpan<float> b) where TLanes : struct, ILanes<TLanes>
    {
        var sum = TLanes.Create(0f);
        int i = 0, n = TLanes.Count;
        for (; i + n <= a.Length; i += n) sum = TLanes.FusedMultiplyAdd(TLanes.Load(a[i..]), TLanes.Load(b[i..]), sum);
        float total = sum.Sum();
        for (; i < a.Length; i++) total += a[i] * b[i];
        return total;
    }

    /// <summary><paramref name="gradient"/> = <paramref name="softmax"/> * (<paramref name="gradient"/> - <paramref name="dot"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void SoftmaxGradient<TLanes>(Span<float> gradient, ReadOnlySpan<float> softmax, float dot) where TLanes : struct, ILanes<TLanes>
    {
        var dotV = TLanes.Create(dot);
        int i = 0, n = TLanes.Count;
        for (; i + n <= gradient.Length; i += n) (TLanes.Load(softmax[i..]) * (TLanes.Load(gradient[i..]) - dotV)).Store(gradient[i..]);
        for (; i < gradient.Length; i++) gradient[i] = softmax[i] * (gradient[i] - dot);
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace Tandem.Kernels;

/// <summary>
/// Products of a few rows with a bf16 weight, <c>y = x W + b</c>, for the steps of cached decoding: one row per
/// sequence (greedy at batch 1 to 4, beam 4 at batch 1). Such a step is bound by how fast the weights stream from
/// memory, and bf16 weights are half the bytes of float32 ones; but libtorch hands every bf16 product to oneDNN,
/// which repacks the weight at each call and so reads a one-row product's weight at about a third of memory speed
/// (<c>bench/Tandem.Bench -- matvec</c>: slower than float32 at one row). This kernel reads the weight once, in
/// the order it is stored, widening bf16 to float32 in registers (a bf16 value is the top half of a float32) and
/// accumulating in float32, with AVX-512 where the runtime has it; elsewhere it declines and libtorch multiplies.
/// </summary>
internal static class Bf16Matvec
{
    /// <summary>The most rows a product may have: one pass over the weight serves them all. At eight rows oneDNN's
    /// bf16 kernels, with twice the multiply-adds per instruction, were faster (<c>matvec</c> bench; five to seven
    /// were not measured); larger products (a batch, a prompt, the encoder) are libtorch's.</summary>
    public const int MaxRows = 4;

    /// <summary>Whether the kernel runs here: 512-bit vectors accelerated, and not switched off with the environment
    /// variable <c>TANDEM_BF16_MATVEC=0</c> (then every bf16 product is libtorch's, for comparison).</summary>
    public static bool Available { get; } =
        Vector512.IsHardwareAccelerated && Environment.GetEnvironmentVariable("TANDEM_BF16_MATVEC") != "0";

    /// <summary>Per-thread float32 accumulators of the rows being multiplied, and the rows widened from bf16 (each
    /// grown to the largest product, kept).</summary>
    [ThreadStatic] static float[]? _accumulators, _widened;

    /// <summary>
    /// <paramref name="x"/> <c>[..., in]</c> (float32 or bf16) times <paramref name="weight"/> <c>[in, out]</c> (bf16,
    /// contiguous) plus <paramref name="bias"/> <c>[out]</c> (float32 or bf16, or null), as <c>[..., out]</c> in bf16
    /// (the dtype libtorch's bf16 product returns), rounded once from float32 sums; null where the kernel does not
    /// apply (more than <see cref="MaxRows"/> rows, another dtype or device, gradients recorded, no AVX-512), and the
    /// caller multiplies as before.
    /// </summary>
    public static Tensor? TryMultiply(Tensor x, Tensor weight, Tensor? bias)
    {
        if (!Available || weight.dtype != ScalarType.BFloat16 || weight.dim() != 2 || !OnCpu(weight) || !OnCpu(x)
            || x.dtype is not (ScalarType.Float32 or ScalarType.BFloat16) || !weight.is_contiguous()
            || (is_grad_enabled() && (x.requires_grad || weight.requires_grad)))
            return null;
        long inDim = weight.size(0), outDim = weight.size(1);
        if (x.dim() < 1 || x.size(-1) != inDim || inDim == 0 || outDim == 0 || inDim * outDim > int.MaxValue / 2) return null;
        long rows = x.numel() / inDim;
        if (rows == 0 || rows > MaxRows) return null;
        if (bias is not null && (bias.numel() != outDim || !OnCpu(bias) || bias.dtype is not (ScalarType.Float32 or ScalarType.BFloat16)))
            return null;

        using var scope = NewDisposeScope();
        int n = (int)(rows * outDim);
        var accumulators = AtLeast(ref _accumulators, n);
        var sums = accumulators.AsSpan(0, n);
        Start(sums, (int)outDim, bias);
        var inputs = Inputs(x.is_contiguous() ? x : x.contiguous(), (int)(rows * inDim));
        if (inDim * outDim >= MatvecHelper.MinElements)
            MatvecHelper.Multiply(inputs, (int)rows, (int)inDim, weight, (int)outDim, accumulators, KernelThreads.Allowed() >= 2);
        else Multiply(inputs, (int)rows, (int)inDim, MemoryMarshal.Cast<byte, ushort>(weight.bytes), (int)outDim, sums);
        var shape = new long[x.dim()];                                                           // x's, with out last
        for (int d = 0; d < shape.Length - 1; d++) shape[d] = x.size(d);
        shape[^1] = outDim;
        var y = empty(shape, ScalarType.BFloat16);                                               // [..., out]
        Bf16Bits.Round(sums, MemoryMarshal.Cast<byte, ushort>(y.bytes));
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>The <paramref name="count"/> values of contiguous <paramref name="x"/> as float32 at the start of a
    /// per-thread array (a helper thread reads it too): float32 copied, bf16 widened here (not another libtorch
    /// operation per product).</summary>
    static float[] Inputs(Tensor x, int count)
    {
        var values = AtLeast(ref _widened, count);
        if (x.dtype == ScalarType.Float32) MemoryMarshal.Cast<byte, float>(x.bytes)[..count].CopyTo(values);
        else Bf16Bits.Widen(MemoryMarshal.Cast<byte, ushort>(x.bytes)[..count], values.AsSpan(0, count));
        return values;
    }

    /// <summary><paramref name="buffer"/>, replaced by a new array first when it holds fewer than
    /// <paramref name="length"/> values: a per-thread buffer grown to the largest product and kept.</summary>
    internal static float[] AtLeast(ref float[]? buffer, int length) =>
        buffer is { } b && b.Length >= length ? b : buffer = new float[length];

    static bool OnCpu(Tensor t) => t.device_type == TorchSharp.DeviceType.CPU;

    /// <summary>Every row of <paramref name="sums"/> set to <paramref name="bias"/> (zero without one); runs inside
    /// <see cref="TryMultiply"/>'s dispose scope.</summary>
    static void Start(Span<float> sums, int outDim, Tensor? bias)
    {
        if (bias is null)
        {
            sums.Clear();
            return;
        }
        var first = sums[..outDim];
        var b = bias.is_contiguous() ? bias : bias.contiguous();                                 // a copy is the caller's scope's
        if (b.dtype == ScalarType.Float32) MemoryMarshal.Cast<byte, float>(b.bytes).CopyTo(first);
        else Bf16Bits.Widen(MemoryMarshal.Cast<byte, ushort>(b.bytes), first);
        for (int r = outDim; r < sums.Length; r += outDim) first.CopyTo(sums[r..]);
    }

    /// <summary><c>y[r] += x[r] W</c> for <paramref name="rows"/> rows: <paramref name="x"/> <c>[rows, in]</c>,
    /// <paramref name="w"/> <c>[in, out]</c> bf16 bits, <paramref name="y"/> <c>[rows, out]</c>.</summary>
    internal static void Multiply(ReadOnlySpan<float> x, int rows, int inDim, ReadOnlySpan<ushort> w, int outDim, Span<float> y)
    {
        if (x.Length < rows * inDim || w.Length < inDim * outDim || y.Length < rows * outDim)
            throw new ArgumentException("span shorter than its shape");
        if (rows < 1 || rows > MaxRows) throw new ArgumentOutOfRangeException(nameof(rows), rows, $"1 to {MaxRows} rows");
        AddPart(x, rows, inDim, 0, inDim, w, outDim, y);
    }

    /// <summary><c>y[r] += x[r, from..to] W[from..to, :]</c>: the part of the product over input positions
    /// <paramref name="from"/> to <paramref name="to"/> (spans checked by the caller).</summary>
    internal static void AddPart(ReadOnlySpan<float> x, int rows, int inDim, int from, int to, ReadOnlySpan<ushort> w, int outDim, Span<float> y)
    {
        var xs = x[from..];
        var ws = w[(from * outDim)..];
        int count = to - from;
        switch (rows)
        {
            case 1: Block<One>(xs, inDim, count, ws, outDim, y); break;
            case 2: Block<Two>(xs, inDim, count, ws, outDim, y); break;
            case 3: Block<Three>(xs, inDim, count, ws, outDim, y); break;
            default: Block<Four>(xs, inDim, count, ws, outDim, y); break;
        }
    }

    interface IRows { static abstract int Count { get; } }
    struct One : IRows { public static int Count => 1; }
    struct Two : IRows { public static int Count => 2; }
    struct Three : IRows { public static int Count => 3; }
    struct Four : IRows { public static int Count => 4; }

    /// <summary><typeparamref name="TRows"/> rows (a constant the JIT folds: one compiled loop per count) in one pass
    /// over the weight: four weight rows at a time are widened once per 16 columns and added into every row's sums,
    /// which stay in cache.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Block<TRows>(ReadOnlySpan<float> x, int xStride, int count, ReadOnlySpan<ushort> w, int outDim, Span<float> y)
        where TRows : struct, IRows
    {
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref ushort w0 = ref MemoryMarshal.GetReference(w);
        ref float y0 = ref MemoryMarshal.GetReference(y);
        int vectorEnd = outDim & ~(Vector512<float>.Count - 1);
        int i = 0;
        for (; i + 4 <= count; i += 4)
        {
            nuint a = (nuint)i * (nuint)outDim, b = a + (nuint)outDim, c = b + (nuint)outDim, d = c + (nuint)outDim;
            for (int o = 0; o < vectorEnd; o += Vector512<float>.Count)
            {
                var wa = Widen(ref w0, a + (nuint)o);
                var wb = Widen(ref w0, b + (nuint)o);
                var wc = Widen(ref w0, c + (nuint)o);
                var wd = Widen(ref w0, d + (nuint)o);
                AddRow(ref y0, (nuint)o, ref Unsafe.Add(ref x0, i), wa, wb, wc, wd);
                if (TRows.Count > 1) AddRow(ref y0, (nuint)(outDim + o), ref Unsafe.Add(ref x0, xStride + i), wa, wb, wc, wd);
                if (TRows.Count > 2) AddRow(ref y0, (nuint)(2 * outDim + o), ref Unsafe.Add(ref x0, 2 * xStride + i), wa, wb, wc, wd);
                if (TRows.Count > 3) AddRow(ref y0, (nuint)(3 * outDim + o), ref Unsafe.Add(ref x0, 3 * xStride + i), wa, wb, wc, wd);
            }
        }
        for (int r = 0; r < TRows.Count; r++)                                                    // what the vectors left
            for (int k = 0; k < count; k++)
                for (int o = k < i ? vectorEnd : 0; o < outDim; o++)
                    y[r * outDim + o] += Bf16Bits.ToFloat(w[k * outDim + o]) * x[r * xStride + k];
    }

    /// <summary>One row's sums at <paramref name="at"/> plus four weight rows times that row's four inputs <paramref name="x"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void AddRow(ref float y, nuint at, ref float x, Vector512<float> wa, Vector512<float> wb, Vector512<float> wc, Vector512<float> wd)
    {
        var acc = Vector512.LoadUnsafe(ref y, at);
        acc = Vector512.FusedMultiplyAdd(wa, Vector512.Create(x), acc);
        acc = Vector512.FusedMultiplyAdd(wb, Vector512.Create(Unsafe.Add(ref x, 1)), acc);
        acc = Vector512.FusedMultiplyAdd(wc, Vector512.Create(Unsafe.Add(ref x, 2)), acc);
        acc = Vector512.FusedMultiplyAdd(wd, Vector512.Create(Unsafe.Add(ref x, 3)), acc);
        acc.StoreUnsafe(ref y, at);
    }

    /// <summary>16 bf16 values from <paramref name="w"/> at <paramref name="offset"/>, as float32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<float> Widen(ref ushort w, nuint offset) =>
        Vector512.ShiftLeft(Vector512.WidenLower(Vector256.LoadUnsafe(ref w, offset).ToVector512Unsafe()), 16).AsSingle();
}

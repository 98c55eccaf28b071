using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tandem.Kernels;

/// <summary>
/// Conversions between float32 and bf16 held as its bits (<c>ushort</c>), for the kernels that read or write bf16
/// tensors. A bf16 value is the top half of a float32, so widening is exact; narrowing rounds to the nearest bf16,
/// ties to even, as libtorch rounds, and a NaN stays a NaN. The vector forms take <see cref="Vector{T}"/>'s width.
/// </summary>
internal static class Bf16Bits
{
    /// <summary>bf16 <paramref name="bits"/> as float32 into <paramref name="values"/>.</summary>
    public static void Widen(ReadOnlySpan<ushort> bits, Span<float> values)
    {
        int i = 0, n = Vector<ushort>.Count;
        for (; i + n <= values.Length; i += n)
        {
            var (lo, hi) = Widen(new Vector<ushort>(bits[i..]));
            lo.CopyTo(values[i..]);
            hi.CopyTo(values[(i + n / 2)..]);
        }
        for (; i < values.Length; i++) values[i] = ToFloat(bits[i]);
    }

    /// <summary>One vector of bf16 bits as two float32 vectors: its lower and upper halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector<float> Lower, Vector<float> Upper) Widen(Vector<ushort> bits)
    {
        Vector.Widen(bits, out var lo, out var hi);
        return (Vector.AsVectorSingle(Vector.ShiftLeft(lo, 16)), Vector.AsVectorSingle(Vector.ShiftLeft(hi, 16)));
    }

    /// <summary><paramref name="values"/> rounded to bf16 into <paramref name="bits"/>. Compiled optimised at its
    /// first call: the runtime sets aside ReadyToRun code compiled without AVX-512 on a CPU that has it, and a first
    /// answer's products rounded in unoptimised code until the method was recompiled (a profile of <c>tandem ask</c>
    /// found it so).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Round(ReadOnlySpan<float> values, Span<ushort> bits)
    {
        int i = 0, n = Vector<ushort>.Count;
        for (; i + n <= values.Length; i += n)
            Narrow(new Vector<float>(values[i..]), new Vector<float>(values[(i + n / 2)..])).CopyTo(bits[i..]);
        for (; i < values.Length; i++) bits[i] = ToBf16(values[i]);
    }

    /// <summary>Two float32 vectors rounded to bf16, as one vector of bits (<paramref name="lower"/> first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<ushort> Narrow(Vector<float> lower, Vector<float> upper) =>
        Vector.Narrow(RoundHigh(lower), RoundHigh(upper));

    /// <summary><paramref name="value"/> rounded to the nearest bf16, as its bits.</summary>
    public static ushort ToBf16(float value)
    {
        uint v = BitConverter.SingleToUInt32Bits(value);
        return float.IsNaN(value) ? (ushort)0x7FC0 : (ushort)((v + 0x7FFFu + ((v >> 16) & 1)) >> 16);
    }

    /// <summary>bf16 <paramref name="bits"/> as float32.</summary>
    public static float ToFloat(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>Each float32's bf16 bits (its top half, rounded to nearest even) in the low half of a lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector<uint> RoundHigh(Vector<float> value)
    {
        var v = Vector.AsVectorUInt32(value);
        var rounded = Vector.ShiftRightLogical(v + new Vector<uint>(0x7FFFu) + (Vector.ShiftRightLogical(v, 16) & Vector<uint>.One), 16);
        var isNaN = ~Vector.AsVectorUInt32(Vector.Equals(value, value));
        return Vector.ConditionalSelect(isNaN, new Vector<uint>(0x7FC0u), rounded);
    }
}

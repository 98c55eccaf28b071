using System.Runtime.CompilerServices;

namespace Tandem.Kernels;

/// <summary>
/// Conversions between float32 and bf16 held as its bits (<c>ushort</c>), for the kernels that read or write bf16
/// tensors. A bf16 value is the top half of a float32, so widening is exact; narrowing rounds to the nearest bf16,
/// ties to even, as libtorch rounds, and a NaN stays a NaN. The vector forms take any width (<see cref="ILanes{TSelf}"/>);
/// the span forms run at <see cref="Lanes.Wide"/>'s.
/// </summary>
internal static class Bf16Bits
{
    /// <summary>bf16 <paramref name="bits"/> as float32 into <paramref name="values"/>.</summary>
    public static void Widen(ReadOnlySpan<ushort> bits, Span<float> values)
    {
        if (Lanes.Wide) Widen<Lanes512>(bits, values);
        else Widen<LanesVector>(bits, values);
    }

    /// <summary>As <see cref="Widen(ReadOnlySpan{ushort}, Span{float})"/>, at the width of <typeparamref name="TLanes"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Widen<TLanes>(ReadOnlySpan<ushort> bits, Span<float> values) where TLanes : struct, ILanes<TLanes>
    {
        int i = 0, n = TLanes.Count;
        for (; i + 2 * n <= values.Length; i += 2 * n)
        {
            var (lower, upper) = Widen<TLanes>(bits[i..]);
            lower.Store(values[i..]);
            upper.Store(values[(i + n)..]);
        }
        for (; i < values.Length; i++) values[i] = ToFloat(bits[i]);
    }

    /// <summary>The first 2 x <c>Count</c> bf16 values of <paramref name="bits"/> as float32: the first half in
    /// <c>Lower</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (TLanes Lower, TLanes Upper) Widen<TLanes>(ReadOnlySpan<ushort> bits) where TLanes : struct, ILanes<TLanes>
    {
        var (lower, upper) = TLanes.Widen(bits);
        return (lower << 16, upper << 16);
    }

    /// <summary><paramref name="values"/> rounded to bf16 into <paramref name="bits"/>.</summary>
    public static void Round(ReadOnlySpan<float> values, Span<ushort> bits)
    {
        if (Lanes.Wide) Round<Lanes512>(values, bits);
        else Round<LanesVector>(values, bits);
    }

    /// <summary>As <see cref="Round(ReadOnlySpan{float}, Span{ushort})"/>, at the width of <typeparamref name="TLanes"/>.
    /// Compiled optimised at its first call: the runtime sets aside ReadyToRun code compiled without AVX-512 on a CPU
    /// that has it, and a first answer's products rounded in unoptimised code until the method was recompiled (a
    /// profile of <c>tandem ask</c> found it so).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Round<TLanes>(ReadOnlySpan<float> values, Span<ushort> bits) where TLanes : struct, ILanes<TLanes>
    {
        int i = 0, n = TLanes.Count;
        for (; i + 2 * n <= values.Length; i += 2 * n)
            Narrow(TLanes.Load(values[i..]), TLanes.Load(values[(i + n)..]), bits[i..]);
        for (; i < values.Length; i++) bits[i] = ToBf16(values[i]);
    }

    /// <summary>Two registers of float32 rounded to bf16 into the first 2 x <c>Count</c> values of
    /// <paramref name="bits"/> (<paramref name="lower"/> first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Narrow<TLanes>(TLanes lower, TLanes upper, Span<ushort> bits) where TLanes : struct, ILanes<TLanes> =>
        TLanes.Narrow(RoundHigh(lower), RoundHigh(upper), bits);

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
    static TLanes RoundHigh<TLanes>(TLanes value) where TLanes : struct, ILanes<TLanes>
    {
        var roundingBias = TLanes.AddBits(TLanes.Create(0x7FFFu), (value >>> 16) & TLanes.Create(1u));
        return TLanes.ConditionalSelect(TLanes.IsNaN(value), TLanes.Create(0x7FC0u), TLanes.AddBits(value, roundingBias) >>> 16);
    }
}

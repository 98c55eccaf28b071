using System.Runtime.CompilerServices;

namespace Tandem.Kernels;

/// <summary>
/// <c>exp</c> of a float32 vector for softmax-like kernels, within one unit in the last place of the float32 result
/// for arguments from -87.3 to 88 (the range of normal results; <c>VectorExpTests</c> checks it against float64
/// at both widths). .NET's <c>Vector.Exp</c> computes in float64 for accuracy and took 32 ms for the 31 M exponentials of a
/// training step's logits on one core here (AVX2 width); this one, the classic range reduction
/// <c>x = n ln 2 + r</c> with a degree-7 polynomial for <c>e^r</c> and <c>2^n</c> put into the exponent bits, took 13
/// ms. Arguments below -87.3 give 0 (no subnormals: a value that far below its row's maximum gets exactly no weight, as
/// in libtorch's softmax), and arguments above 88 are not handled: its callers take the exponential of
/// <c>x - max(x)</c>, which is at most 0.
/// </summary>
internal static class VectorExp
{
    /// <summary>The least argument whose <c>exp</c> is not 0: that of it is the smallest normal float32 times about 1.</summary>
    public const float MinArgument = -87.33654f;

    /// <summary><c>exp(x)</c> per lane, for <paramref name="x"/> at most 88, at any width (<see cref="ILanes{TSelf}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLanes Exp<TLanes>(TLanes x) where TLanes : struct, ILanes<TLanes>
    {
        var underflow = TLanes.LessThan(x, TLanes.Create(MinArgument));
        x = TLanes.Max(x, TLanes.Create(MinArgument));
        var n = TLanes.Round(x * TLanes.Create(1.442695041f));                                  // x / ln 2
        var r = TLanes.FusedMultiplyAdd(n, TLanes.Create(-0.693145751953125f), x);              // x - n ln 2, ln 2 in two parts
        r = TLanes.FusedMultiplyAdd(n, TLanes.Create(-1.428606765330187045e-06f), r);           // |r| <= ln 2 / 2
        var p = TLanes.Create(1.9875691500e-4f);                                                // Cephes' expf coefficients
        p = TLanes.FusedMultiplyAdd(p, r, TLanes.Create(1.3981999507e-3f));
        p = TLanes.FusedMultiplyAdd(p, r, TLanes.Create(8.3334519073e-3f));
        p = TLanes.FusedMultiplyAdd(p, r, TLanes.Create(4.1665795894e-2f));
        p = TLanes.FusedMultiplyAdd(p, r, TLanes.Create(1.6666665459e-1f));
        p = TLanes.FusedMultiplyAdd(p, r, TLanes.Create(5.0000001201e-1f));
        p = TLanes.FusedMultiplyAdd(p, r * r, r) + TLanes.Create(1f);                           // e^r
        p *= TLanes.AddBits(TLanes.ConvertToInt32(n), TLanes.Create(127u)) << 23;               // times 2^n, made as float32 bits
        return TLanes.ConditionalSelect(underflow, TLanes.Create(0f), p);
    }

    /// <summary><paramref name="row"/> replaced by <c>exp(x - max)</c> (softmax's numerators, <paramref name="max"/> at
    /// least the row's maximum); returns their sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Exponentials<TLanes>(Span<float> row, float max) where TLanes : struct, ILanes<TLanes>
    {
        var maxV = TLanes.Create(max);
        var (sum0, sum1) = (TLanes.Create(0f), TLanes.Create(0f));
        int i = 0, n = TLanes.Count;
        for (; i + 2 * n <= row.Length; i += 2 * n)
        {
            var a = Exp(TLanes.Load(row[i..]) - maxV);
            var b = Exp(TLanes.Load(row[(i + n)..]) - maxV);
            a.Store(row[i..]);
            b.Store(row[(i + n)..]);
            (sum0, sum1) = (sum0 + a, sum1 + b);
        }
        float sum = (sum0 + sum1).Sum();
        for (; i < row.Length; i++) sum += row[i] = MathF.Exp(row[i] - max);
        return sum;
    }
}

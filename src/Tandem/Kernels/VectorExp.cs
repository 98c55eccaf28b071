using System.Runtime.CompilerServices;

namespace Tandem.Kernels;

/// <summary>
/// <c>exp</c> of a float32 vector for softmax-like kernels, within one unit in the last place of the float32 result
/// for arguments from -87.3 to 88 (the range of normal results; <c>VectorExpTests</c> checks it against float64
/// at both widths). .NET's <c>Vector.Exp</c> computes in float64 for accuracy and took 32 ms for the 31 M exponentials of a
/// training step's logits on one core here (AVX2 width); this one, the classic range reduction
/// <c>x = n ln 2 + r</c> with a degree-7 polynomial for <c>e^r</c> and <c>2^n</c> put into the exponent bits, took 13
/// ms. Arguments below -87.3 give <c>exp(-87.3)</c>, about 1.2e-38 (no subnormals), and arguments above 88 are not
/// handled: its callers take the exponential of <c>x - max(x)</c>, which is at most 0.
/// </summary>
internal static class VectorExp
{
    /// <summary>The least argument handled: <c>exp</c> of it is the smallest normal float32 times about 1.</summary>
    public const float MinArgument = -87.33654f;

    /// <summary><c>exp(x)</c> per lane, for <paramref name="x"/> at most 88, at any width (<see cref="ILanes{TSelf}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLanes Exp<TLanes>(TLanes x) where TLanes : struct, ILanes<TLanes>
    {
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
        return p * (TLanes.AddBits(TLanes.ConvertToInt32(n), TLanes.Create(127u)) << 23);       // times 2^n, made as float32 bits
    }
}

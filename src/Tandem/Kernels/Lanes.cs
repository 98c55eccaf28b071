using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Tandem.Kernels;

/// <summary>
/// One vector register of 32-bit lanes, read as float32 (the operators <c>+ - *</c>, <see cref="Max"/>, ...) or as
/// uint32 bits (<c>^ &amp; &lt;&lt; &gt;&gt;&gt;</c> and the <c>...Bits</c> members), for the kernels written once for
/// every vector width: a method generic over a struct <c>TLanes</c> is compiled for each width it is called with, and
/// the calls below it inline. <see cref="Lanes512"/> is AVX-512's 16 lanes, <see cref="LanesVector"/> the runtime's
/// <see cref="Vector{T}"/> (8 lanes with AVX2, 4 with NEON); .NET 10 keeps <see cref="Vector{T}"/> at 256 bits on
/// AVX-512 hardware unless <c>DOTNET_MaxVectorTBitWidth=512</c> is set before it starts, and the loss kernel was bound
/// by that width (<c>bench/Tandem.Bench -- loss</c>), so the kernels call <see cref="Lanes.Wide"/> to choose.
/// "The calls below it inline" holds while the method stays within the JIT's inlining budget: a row kernel that took in
/// a dropout hash (<see cref="DropoutMask"/>'s, over a hundred inlined calls) beside a LayerNorm's three loops ran out
/// of it, and those loops called <c>Vector512.CopyTo</c> for every store (<c>DOTNET_JitDisasm</c> shows such calls),
/// twice as slow; a part that inlines much goes in a method of its own, marked <c>NoInlining</c>.
/// </summary>
internal interface ILanes<TSelf> where TSelf : struct, ILanes<TSelf>
{
    /// <summary>The lanes in a register.</summary>
    static abstract int Count { get; }

    /// <summary>Every lane <paramref name="value"/>.</summary>
    static abstract TSelf Create(float value);

    /// <summary>Every lane the bits <paramref name="value"/>.</summary>
    static abstract TSelf Create(uint value);

    /// <summary>The lanes' indices 0, 1, ..., <see cref="Count"/> - 1 as uint32.</summary>
    static abstract TSelf Indices { get; }

    /// <summary>The first <see cref="Count"/> values of <paramref name="source"/>.</summary>
    static abstract TSelf Load(ReadOnlySpan<float> source);

    /// <summary>The first 2 x <see cref="Count"/> values of <paramref name="source"/>, zero-extended to 32 bits: the
    /// first <see cref="Count"/> in <c>Lower</c>.</summary>
    static abstract (TSelf Lower, TSelf Upper) Widen(ReadOnlySpan<ushort> source);

    /// <summary>The low 16 bits of each lane of <paramref name="lower"/>, then of <paramref name="upper"/>, into the
    /// first 2 x <see cref="Count"/> values of <paramref name="target"/>.</summary>
    static abstract void Narrow(TSelf lower, TSelf upper, Span<ushort> target);

    /// <summary>The lanes into the first <see cref="Count"/> values of <paramref name="target"/>.</summary>
    void Store(Span<float> target);

    /// <summary>The lanes' bits into the first <see cref="Count"/> values of <paramref name="target"/>.</summary>
    void Store(Span<uint> target);

    /// <summary>The float32 lanes' sum.</summary>
    float Sum();

    /// <summary>The float32 lanes' maximum.</summary>
    float Maximum();

    /// <summary>float32 addition.</summary>
    static abstract TSelf operator +(TSelf a, TSelf b);

    /// <summary>float32 subtraction.</summary>
    static abstract TSelf operator -(TSelf a, TSelf b);

    /// <summary>float32 multiplication.</summary>
    static abstract TSelf operator *(TSelf a, TSelf b);

    /// <summary>float32 division.</summary>
    static abstract TSelf operator /(TSelf a, TSelf b);

    /// <summary>Exclusive or of the bits.</summary>
    static abstract TSelf operator ^(TSelf a, TSelf b);

    /// <summary>And of the bits.</summary>
    static abstract TSelf operator &(TSelf a, TSelf b);

    /// <summary>Each lane's bits shifted left, zeros in.</summary>
    static abstract TSelf operator <<(TSelf a, int shift);

    /// <summary>Each lane's bits shifted right, zeros in.</summary>
    static abstract TSelf operator >>>(TSelf a, int shift);

    /// <summary>float32 maximum per lane.</summary>
    static abstract TSelf Max(TSelf a, TSelf b);

    /// <summary>float32 square root per lane.</summary>
    static abstract TSelf SquareRoot(TSelf a);

    /// <summary><c>a * b + c</c> per float32 lane, rounded once.</summary>
    static abstract TSelf FusedMultiplyAdd(TSelf a, TSelf b, TSelf c);

    /// <summary>float32 lanes rounded to the nearest integer, ties to even.</summary>
    static abstract TSelf Round(TSelf a);

    /// <summary>Integral float32 lanes as int32 bits.</summary>
    static abstract TSelf ConvertToInt32(TSelf a);

    /// <summary>uint32 addition (wrapping; int32's too).</summary>
    static abstract TSelf AddBits(TSelf a, TSelf b);

    /// <summary>uint32 multiplication, the low 32 bits.</summary>
    static abstract TSelf MultiplyBits(TSelf a, TSelf b);

    /// <summary>All ones where the uint32 <paramref name="a"/> is below <paramref name="b"/>, else zero.</summary>
    static abstract TSelf LessThanBits(TSelf a, TSelf b);

    /// <summary>All ones where the float32 <paramref name="a"/> is below <paramref name="b"/>, else zero.</summary>
    static abstract TSelf LessThan(TSelf a, TSelf b);

    /// <summary>All ones where the float32 lane is a NaN, else zero.</summary>
    static abstract TSelf IsNaN(TSelf a);

    /// <summary>The bits of <paramref name="a"/> where <paramref name="mask"/>'s are set, else of <paramref name="b"/>.</summary>
    static abstract TSelf ConditionalSelect(TSelf mask, TSelf a, TSelf b);
}

/// <summary>Which width the kernels run at here.</summary>
internal static class Lanes
{
    /// <summary>Whether <see cref="Lanes512"/> runs here and is wider than <see cref="LanesVector"/>: AVX-512 that the
    /// runtime accelerates (not on processors it slows down, where it reports 512-bit vectors unaccelerated).</summary>
    public static bool Wide { get; } = Vector512.IsHardwareAccelerated && Vector<float>.Count < Vector512<float>.Count;
}

/// <summary>16 lanes of AVX-512 (<see cref="Vector512{T}"/>).</summary>
internal readonly struct Lanes512(Vector512<float> value) : ILanes<Lanes512>
{
    readonly Vector512<float> _v = value;
    Vector512<uint> Bits => _v.AsUInt32();
    static Lanes512 FromBits(Vector512<uint> bits) => new(bits.AsSingle());

    /// <inheritdoc/>
    public static int Count => Vector512<float>.Count;
    /// <inheritdoc/>
    public static Lanes512 Create(float value) => new(Vector512.Create(value));
    /// <inheritdoc/>
    public static Lanes512 Create(uint value) => FromBits(Vector512.Create(value));
    /// <inheritdoc/>
    public static Lanes512 Indices => FromBits(Vector512<uint>.Indices);
    /// <inheritdoc/>
    public static Lanes512 Load(ReadOnlySpan<float> source) => new(Vector512.Create(source));
    /// <inheritdoc/>
    public static (Lanes512 Lower, Lanes512 Upper) Widen(ReadOnlySpan<ushort> source)
    {
        var (lower, upper) = Vector512.Widen(Vector512.Create(source));
        return (FromBits(lower), FromBits(upper));
    }
    /// <inheritdoc/>
    public static void Narrow(Lanes512 lower, Lanes512 upper, Span<ushort> target) => Vector512.Narrow(lower.Bits, upper.Bits).CopyTo(target);
    /// <inheritdoc/>
    public void Store(Span<float> target) => _v.CopyTo(target);
    /// <inheritdoc/>
    public void Store(Span<uint> target) => Bits.CopyTo(target);
    /// <inheritdoc/>
    public float Sum() => Vector512.Sum(_v);
    /// <inheritdoc/>
    public float Maximum()
    {
        var half = Vector256.Max(_v.GetLower(), _v.GetUpper());
        float max = float.NegativeInfinity;
        for (int k = 0; k < Vector256<float>.Count; k++) max = MathF.Max(max, half[k]);
        return max;
    }
    /// <inheritdoc/>
    public static Lanes512 operator +(Lanes512 a, Lanes512 b) => new(a._v + b._v);
    /// <inheritdoc/>
    public static Lanes512 operator -(Lanes512 a, Lanes512 b) => new(a._v - b._v);
    /// <inheritdoc/>
    public static Lanes512 operator *(Lanes512 a, Lanes512 b) => new(a._v * b._v);
    /// <inheritdoc/>
    public static Lanes512 operator /(Lanes512 a, Lanes512 b) => new(a._v / b._v);
    /// <inheritdoc/>
    public static Lanes512 operator ^(Lanes512 a, Lanes512 b) => FromBits(a.Bits ^ b.Bits);
    /// <inheritdoc/>
    public static Lanes512 operator &(Lanes512 a, Lanes512 b) => FromBits(a.Bits & b.Bits);
    /// <inheritdoc/>
    public static Lanes512 operator <<(Lanes512 a, int shift) => FromBits(a.Bits << shift);
    /// <inheritdoc/>
    public static Lanes512 operator >>>(Lanes512 a, int shift) => FromBits(a.Bits >>> shift);
    /// <inheritdoc/>
    public static Lanes512 Max(Lanes512 a, Lanes512 b) => new(Vector512.Max(a._v, b._v));
    /// <inheritdoc/>
    public static Lanes512 SquareRoot(Lanes512 a) => new(Vector512.Sqrt(a._v));
    /// <inheritdoc/>
    public static Lanes512 FusedMultiplyAdd(Lanes512 a, Lanes512 b, Lanes512 c) => new(Vector512.FusedMultiplyAdd(a._v, b._v, c._v));
    /// <inheritdoc/>
    public static Lanes512 Round(Lanes512 a) => new(Vector512.Round(a._v));
    /// <inheritdoc/>
    public static Lanes512 ConvertToInt32(Lanes512 a) => new(Vector512.ConvertToInt32(a._v).AsSingle());
    /// <inheritdoc/>
    public static Lanes512 AddBits(Lanes512 a, Lanes512 b) => FromBits(a.Bits + b.Bits);
    /// <inheritdoc/>
    public static Lanes512 MultiplyBits(Lanes512 a, Lanes512 b) => FromBits(a.Bits * b.Bits);
    /// <inheritdoc/>
    public static Lanes512 LessThanBits(Lanes512 a, Lanes512 b) => FromBits(Vector512.LessThan(a.Bits, b.Bits));
    /// <inheritdoc/>
    public static Lanes512 LessThan(Lanes512 a, Lanes512 b) => new(Vector512.LessThan(a._v, b._v));
    /// <inheritdoc/>
    public static Lanes512 IsNaN(Lanes512 a) => new(Vector512.IsNaN(a._v));
    /// <inheritdoc/>
    public static Lanes512 ConditionalSelect(Lanes512 mask, Lanes512 a, Lanes512 b) => new(Vector512.ConditionalSelect(mask._v, a._v, b._v));
}

/// <summary>The runtime's <see cref="Vector{T}"/> width: the lanes everywhere (AVX2, NEON, or none).</summary>
internal readonly struct LanesVector(Vector<float> value) : ILanes<LanesVector>
{
    readonly Vector<float> _v = value;
    Vector<uint> Bits => Vector.AsVectorUInt32(_v);
    static LanesVector FromBits(Vector<uint> bits) => new(Vector.AsVectorSingle(bits));

    /// <inheritdoc/>
    public static int Count => Vector<float>.Count;
    /// <inheritdoc/>
    public static LanesVector Create(float value) => new(new Vector<float>(value));
    /// <inheritdoc/>
    public static LanesVector Create(uint value) => FromBits(new Vector<uint>(value));
    /// <inheritdoc/>
    public static LanesVector Indices => FromBits(Vector<uint>.Indices);
    /// <inheritdoc/>
    public static LanesVector Load(ReadOnlySpan<float> source) => new(new Vector<float>(source));
    /// <inheritdoc/>
    public static (LanesVector Lower, LanesVector Upper) Widen(ReadOnlySpan<ushort> source)
    {
        Vector.Widen(new Vector<ushort>(source), out var lower, out var upper);
        return (FromBits(lower), FromBits(upper));
    }
    /// <inheritdoc/>
    public static void Narrow(LanesVector lower, LanesVector upper, Span<ushort> target) => Vector.Narrow(lower.Bits, upper.Bits).CopyTo(target);
    /// <inheritdoc/>
    public void Store(Span<float> target) => _v.CopyTo(target);
    /// <inheritdoc/>
    public void Store(Span<uint> target) => Bits.CopyTo(target);
    /// <inheritdoc/>
    public float Sum() => Vector.Sum(_v);
    /// <inheritdoc/>
    public float Maximum()
    {
        float max = float.NegativeInfinity;
        for (int k = 0; k < Vector<float>.Count; k++) max = MathF.Max(max, _v[k]);
        return max;
    }
    /// <inheritdoc/>
    public static LanesVector operator +(LanesVector a, LanesVector b) => new(a._v + b._v);
    /// <inheritdoc/>
    public static LanesVector operator -(LanesVector a, LanesVector b) => new(a._v - b._v);
    /// <inheritdoc/>
    public static LanesVector operator *(LanesVector a, LanesVector b) => new(a._v * b._v);
    /// <inheritdoc/>
    public static LanesVector operator /(LanesVector a, LanesVector b) => new(a._v / b._v);
    /// <inheritdoc/>
    public static LanesVector operator ^(LanesVector a, LanesVector b) => FromBits(a.Bits ^ b.Bits);
    /// <inheritdoc/>
    public static LanesVector operator &(LanesVector a, LanesVector b) => FromBits(a.Bits & b.Bits);
    /// <inheritdoc/>
    public static LanesVector operator <<(LanesVector a, int shift) => FromBits(a.Bits << shift);
    /// <inheritdoc/>
    public static LanesVector operator >>>(LanesVector a, int shift) => FromBits(a.Bits >>> shift);
    /// <inheritdoc/>
    public static LanesVector Max(LanesVector a, LanesVector b) => new(Vector.Max(a._v, b._v));
    /// <inheritdoc/>
    public static LanesVector SquareRoot(LanesVector a) => new(Vector.SquareRoot(a._v));
    /// <inheritdoc/>
    public static LanesVector FusedMultiplyAdd(LanesVector a, LanesVector b, LanesVector c) => new(Vector.FusedMultiplyAdd(a._v, b._v, c._v));
    /// <inheritdoc/>
    public static LanesVector Round(LanesVector a) => new(Vector.Round(a._v));
    /// <inheritdoc/>
    public static LanesVector ConvertToInt32(LanesVector a) => new(Vector.AsVectorSingle(Vector.ConvertToInt32(a._v)));
    /// <inheritdoc/>
    public static LanesVector AddBits(LanesVector a, LanesVector b) => FromBits(a.Bits + b.Bits);
    /// <inheritdoc/>
    public static LanesVector MultiplyBits(LanesVector a, LanesVector b) => FromBits(a.Bits * b.Bits);
    /// <inheritdoc/>
    public static LanesVector LessThanBits(LanesVector a, LanesVector b) => FromBits(Vector.LessThan(a.Bits, b.Bits));
    /// <inheritdoc/>
    public static LanesVector LessThan(LanesVector a, LanesVector b) => new(Vector.AsVectorSingle(Vector.LessThan(a._v, b._v)));
    /// <inheritdoc/>
    public static LanesVector IsNaN(LanesVector a) => new(Vector.IsNaN(a._v));
    /// <inheritdoc/>
    public static LanesVector ConditionalSelect(LanesVector mask, LanesVector a, LanesVector b) => new(Vector.ConditionalSelect(mask._v, a._v, b._v));
}

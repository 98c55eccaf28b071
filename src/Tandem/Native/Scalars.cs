using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Native;

/// <summary>
/// Tensor operations with numbers whose TorchSharp <see cref="Scalar"/> stays alive until libtorch has finished with
/// it. TorchSharp hands libtorch the native pointer of a scalar without keeping the .NET object alive through the
/// call; a number converted on the spot (<c>x * 0.5</c>, <c>x.eq(0)</c>, <c>arange(n)</c>) or the <c>alpha = 1</c>
/// that <c>a + b</c> and <c>a.add(b)</c> make inside TorchSharp is dead to the JIT once its pointer is read, and a
/// collection that another thread starts meanwhile can run its finalizer, which frees the native scalar while libtorch
/// reads it: "Expected false to be true, but got false" from <c>c10/core/Scalar.h</c>, or a silently wrong number.
/// Constants here live for the process; every other number is held by a <c>using</c> until its call returns. Tandem's
/// code makes no scalar any other way, and calls no TorchSharp method that makes one inside (a test reads the
/// compiled code of both for it); the names follow the torch operations they stand for.
/// </summary>
public static class Scalars
{
    /// <summary>The integer 0.</summary>
    public static readonly Scalar Zero = 0L.ToScalar();

    /// <summary>The integer 1 (the <c>alpha</c> of a plain add).</summary>
    public static readonly Scalar One = 1L.ToScalar();

    /// <summary>Negative infinity, the score of a token that may not come.</summary>
    public static readonly Scalar NegativeInfinity = double.NegativeInfinity.ToScalar();

    /// <summary><c>a + b</c>.</summary>
    public static Tensor Add(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary><c>a += b</c>, in place.</summary>
    public static Tensor AddInPlace(this Tensor a, Tensor b) => a.add_(b, One);

    /// <summary><c>a + value</c> (an integer keeps an integer tensor's type).</summary>
    public static Tensor Add(this Tensor a, long value) => With(value, s => a.add(s, One));

    /// <summary><c>a - value</c>.</summary>
    public static Tensor Sub(this Tensor a, long value) => With(value, s => a.sub(s));

    /// <summary><c>a - value</c>.</summary>
    public static Tensor Sub(this Tensor a, double value) => With(value, s => a.sub(s));

    /// <summary><c>value - a</c>.</summary>
    public static Tensor RSub(long value, Tensor a) => With(value, s =>
    {
        using var negative = a.negative();
        return negative.add(s, One);
    });

    /// <summary><c>value - a</c>.</summary>
    public static Tensor RSub(double value, Tensor a) => With(value, s =>
    {
        using var negative = a.negative();
        return negative.add(s, One);
    });

    /// <summary><c>a * factor</c>.</summary>
    public static Tensor Mul(this Tensor a, double factor) => With(factor, s => a.mul(s));

    /// <summary><c>a * factor</c> (an integer keeps an integer tensor's type).</summary>
    public static Tensor Mul(this Tensor a, long factor) => With(factor, s => a.mul(s));

    /// <summary><c>a *= factor</c>, in place.</summary>
    public static Tensor MulInPlace(this Tensor a, double factor) => With(factor, s => a.mul_(s));

    /// <summary><c>a / divisor</c>.</summary>
    public static Tensor Div(this Tensor a, double divisor) => With(divisor, s => a.div(s));

    /// <summary><c>a == value</c>, elementwise.</summary>
    public static Tensor Eq(this Tensor a, long value) => With(value, s => a.eq(s));

    /// <summary><c>a != value</c>, elementwise.</summary>
    public static Tensor Ne(this Tensor a, long value) => With(value, s => a.ne(s));

    /// <summary><c>a &lt; value</c>, elementwise.</summary>
    public static Tensor Lt(this Tensor a, double value) => With(value, s => a.lt(s));

    /// <summary><c>a &lt;= value</c>, elementwise.</summary>
    public static Tensor Le(this Tensor a, double value) => With(value, s => a.le(s));

    /// <summary><c>a &gt;= value</c>, elementwise.</summary>
    public static Tensor Ge(this Tensor a, long value) => With(value, s => a.ge(s));

    /// <summary><c>a &gt; value</c>, elementwise.</summary>
    public static Tensor Gt(this Tensor a, double value) => With(value, s => a.gt(s));

    /// <summary><c>a.masked_fill(mask, value)</c>.</summary>
    public static Tensor MaskedFill(this Tensor a, Tensor mask, double value) => With(value, s => a.masked_fill(mask, s));

    /// <summary><c>a.masked_fill(mask, value)</c> (an integer keeps an integer tensor's type).</summary>
    public static Tensor MaskedFill(this Tensor a, Tensor mask, long value) => With(value, s => a.masked_fill(mask, s));

    /// <summary><c>a.masked_fill_(mask, value)</c>, in place.</summary>
    public static Tensor MaskedFillInPlace(this Tensor a, Tensor mask, double value) =>
        With(value, s => a.masked_fill_(mask, s));

    /// <summary><c>a.clamp_min(min)</c>.</summary>
    public static Tensor ClampMin(this Tensor a, double min) => With(min, s => a.clamp_min(s));

    /// <summary><c>a.clamp_min(min)</c> (an integer keeps an integer tensor's type).</summary>
    public static Tensor ClampMin(this Tensor a, long min) => With(min, s => a.clamp_min(s));

    /// <summary><c>a.fill_(value)</c>.</summary>
    public static Tensor FillInPlace(this Tensor a, double value) => With(value, s => a.fill_(s));

    /// <summary><c>torch.full(size, value)</c>.</summary>
    public static Tensor Full(long[] size, long value, ScalarType dtype = ScalarType.Int64, Device? device = null) =>
        With(value, s => torch.full(size, s, dtype, device));

    /// <summary><c>torch.arange(start, stop)</c>: the integers start, ..., stop - 1.</summary>
    public static Tensor Arange(long start, long stop, ScalarType dtype = ScalarType.Int64, Device? device = null)
    {
        using var from = start.ToScalar();
        using var to = stop.ToScalar();
        return torch.arange(from, to, One, dtype, device);
    }

    /// <summary>Runs <paramref name="call"/> with <paramref name="value"/> as a scalar that lives until it returns.</summary>
    static Tensor With(long value, Func<Scalar, Tensor> call)
    {
        using var s = value.ToScalar();
        return call(s);
    }

    /// <inheritdoc cref="With(long, Func{Scalar, Tensor})"/>
    static Tensor With(double value, Func<Scalar, Tensor> call)
    {
        using var s = value.ToScalar();
        return call(s);
    }
}

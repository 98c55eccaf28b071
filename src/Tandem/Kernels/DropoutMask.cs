using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Tandem.Kernels;

/// <summary>
/// Dropout masks on the CPU: each element is <c>1 / (1 - p)</c> with probability <c>1 - p</c> and 0 otherwise, in the
/// dtype of the tensor it will multiply. libtorch draws such a mask with <c>bernoulli_</c>, which on a CPU that is not
/// Intel's runs one Mersenne Twister draw per element on one thread: 80 ms of a 740 ms bf16 training step of the
/// MiniLM-shaped BERT2BERT (<c>bench/Tandem.Bench -- train</c>, <c>perf</c>), while the other core waited. Here each
/// element's draw is a counter-based hash of its index and a seed (two rounds of a 32-bit integer mix), so a mask is a
/// few vector instructions per <see cref="Vector{T}"/> of elements. The seed is drawn from libtorch's default
/// generator, so <c>manual_seed</c> and a restored generator state (a resumed run) give the same masks again.
/// </summary>
internal static class DropoutMask
{
    /// <summary>
    /// A contiguous mask shaped and typed as <paramref name="like"/> (float32, bf16 or float16 on the CPU) for dropout
    /// probability <paramref name="p"/> in (0, 1); null where the kernel does not apply (another device or dtype, a
    /// mask of more than 2 GB), and the caller uses libtorch's dropout.
    /// </summary>
    public static Tensor? TryCreate(Tensor like, double p)
    {
        if (like.device_type != TorchSharp.DeviceType.CPU || p <= 0 || p >= 1 || like.numel() * like.ElementSize > int.MaxValue)
            return null;
        float scale = (float)(1.0 / (1.0 - p));
        uint? bits = like.dtype switch
        {
            ScalarType.Float32 => BitConverter.SingleToUInt32Bits(scale),
            ScalarType.BFloat16 => Bf16Bits.ToBf16(scale),
            ScalarType.Float16 => BitConverter.HalfToUInt16Bits((Half)scale),
            _ => null,
        };
        if (bits is not { } scaleBits) return null;
        uint keep = (uint)Math.Min(uint.MaxValue, Math.Round((1.0 - p) * 4294967296.0));
        ulong seed;
        using (var draw = randint(long.MaxValue, [1], dtype: ScalarType.Int64)) seed = (ulong)draw.item<long>();
        var mask = empty(like.shape, like.dtype, like.device);
        if (like.dtype == ScalarType.Float32) Fill(MemoryMarshal.Cast<byte, uint>(mask.bytes), keep, scaleBits, seed);
        else Fill(MemoryMarshal.Cast<byte, ushort>(mask.bytes), keep, (ushort)scaleBits, seed);
        return mask;
    }

    /// <summary>Element <c>i</c> of <paramref name="mask"/> set to <paramref name="scaleBits"/> where the hash of
    /// <c>i</c> under <paramref name="seed"/> is below <paramref name="keep"/>, else to 0 (32-bit elements).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Fill(Span<uint> mask, uint keep, uint scaleBits, ulong seed)
    {
        var draws = new Draws(keep, scaleBits, seed);
        int i = 0, n = Vector<uint>.Count;
        for (; i + n <= mask.Length; i += n) draws.Next().CopyTo(mask[i..]);
        for (; i < mask.Length; i++) mask[i] = draws.At(i);
    }

    /// <summary>As the 32-bit <see cref="Fill(Span{uint}, uint, uint, ulong)"/>, for 16-bit elements (bf16, float16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Fill(Span<ushort> mask, uint keep, ushort scaleBits, ulong seed)
    {
        var draws = new Draws(keep, scaleBits, seed);
        int i = 0, n = Vector<uint>.Count;
        for (; i + 2 * n <= mask.Length; i += 2 * n) Vector.Narrow(draws.Next(), draws.Next()).CopyTo(mask[i..]);
        for (; i < mask.Length; i++) mask[i] = (ushort)draws.At(i);
    }

    /// <summary>The mask's values for consecutive elements, a vector at a time from element 0 (<see cref="Next"/>),
    /// or for one element (<see cref="At"/>, the tail).</summary>
    struct Draws(uint keep, uint scaleBits, ulong seed)
    {
        readonly uint _lo = (uint)seed, _hi = (uint)(seed >> 32);
        readonly Vector<uint> _keep = new(keep), _scale = new(scaleBits), _step = new((uint)Vector<uint>.Count);
        Vector<uint> _index = Iota();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector<uint> Next()
        {
            var values = Vector.LessThan(Hash(_index, _lo, _hi), _keep) & _scale;
            _index += _step;
            return values;
        }

        public readonly uint At(int i) => Hash((uint)i, _lo, _hi) < keep ? scaleBits : 0u;
    }

    static Vector<uint> Iota()
    {
        Span<uint> values = stackalloc uint[Vector<uint>.Count];
        for (int k = 0; k < values.Length; k++) values[k] = (uint)k;
        return new Vector<uint>(values);
    }

    /// <summary>Two rounds of a 32-bit integer mix (xor-shift-multiply, constants from Chris Wellons' hash-prospector),
    /// keyed by both halves of the seed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector<uint> Hash(Vector<uint> x, uint lo, uint hi) => Mix(Mix(x ^ new Vector<uint>(lo)) + new Vector<uint>(hi));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector<uint> Mix(Vector<uint> x)
    {
        x ^= Vector.ShiftRightLogical(x, 16);
        x *= new Vector<uint>(0x7FEB352Du);
        x ^= Vector.ShiftRightLogical(x, 15);
        x *= new Vector<uint>(0x846CA68Bu);
        return x ^ Vector.ShiftRightLogical(x, 16);
    }

    static uint Hash(uint x, uint lo, uint hi) => Mix(Mix(x ^ lo) + hi);

    static uint Mix(uint x)
    {
        x ^= x >> 16;
        x *= 0x7FEB352Du;
        x ^= x >> 15;
        x *= 0x846CA68Bu;
        return x ^ (x >> 16);
    }
}

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
/// few vector instructions per register of elements (<see cref="ILanes{TSelf}"/>). The seed is drawn from libtorch's default
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
    internal static void Fill(Span<uint> mask, uint keep, uint scaleBits, ulong seed)
    {
        if (Lanes.Wide) Fill<Lanes512>(mask, keep, scaleBits, seed);
        else Fill<LanesVector>(mask, keep, scaleBits, seed);
    }

    /// <summary>As the 32-bit <see cref="Fill(Span{uint}, uint, uint, ulong)"/>, for 16-bit elements (bf16, float16).</summary>
    internal static void Fill(Span<ushort> mask, uint keep, ushort scaleBits, ulong seed)
    {
        if (Lanes.Wide) Fill<Lanes512>(mask, keep, scaleBits, seed);
        else Fill<LanesVector>(mask, keep, scaleBits, seed);
    }

    /// <summary>As <see cref="Fill(Span{uint}, uint, uint, ulong)"/>, at the width of <typeparamref name="TLanes"/>: an
    /// element's value depends on its index only, so every width gives the same mask.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Fill<TLanes>(Span<uint> mask, uint keep, uint scaleBits, ulong seed) where TLanes : struct, ILanes<TLanes>
    {
        var draws = new Draws<TLanes>(keep, scaleBits, seed);
        int i = 0, n = TLanes.Count;
        for (; i + n <= mask.Length; i += n) draws.Next().Store(mask[i..]);
        for (; i < mask.Length; i++) mask[i] = draws.At(i);
    }

    /// <summary>As <see cref="Fill(Span{ushort}, uint, ushort, ulong)"/>, at the width of <typeparamref name="TLanes"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Fill<TLanes>(Span<ushort> mask, uint keep, ushort scaleBits, ulong seed) where TLanes : struct, ILanes<TLanes>
    {
        var draws = new Draws<TLanes>(keep, scaleBits, seed);
        int i = 0, n = TLanes.Count;
        for (; i + 2 * n <= mask.Length; i += 2 * n) TLanes.Narrow(draws.Next(), draws.Next(), mask[i..]);
        for (; i < mask.Length; i++) mask[i] = (ushort)draws.At(i);
    }

    /// <summary>The mask's values for consecutive elements, a register at a time from element 0 (<see cref="Next"/>),
    /// or for one element (<see cref="At"/>, the tail).</summary>
    struct Draws<TLanes>(uint keep, uint scaleBits, ulong seed) where TLanes : struct, ILanes<TLanes>
    {
        readonly uint _lo = (uint)seed, _hi = (uint)(seed >> 32);
        readonly TLanes _keep = TLanes.Create(keep), _scale = TLanes.Create(scaleBits), _step = TLanes.Create((uint)TLanes.Count);
        TLanes _index = TLanes.Indices;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Next()
        {
            var values = TLanes.LessThanBits(Hash(_index, _lo, _hi), _keep) & _scale;
            _index = TLanes.AddBits(_index, _step);
            return values;
        }

        public readonly uint At(int i) => Hash((uint)i, _lo, _hi) < keep ? scaleBits : 0u;
    }

    /// <summary>Two rounds of a 32-bit integer mix (xor-shift-multiply, constants from Chris Wellons' hash-prospector),
    /// keyed by both halves of the seed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static TLanes Hash<TLanes>(TLanes x, uint lo, uint hi) where TLanes : struct, ILanes<TLanes> =>
        Mix(TLanes.AddBits(Mix(x ^ TLanes.Create(lo)), TLanes.Create(hi)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static TLanes Mix<TLanes>(TLanes x) where TLanes : struct, ILanes<TLanes>
    {
        x ^= x >>> 16;
        x = TLanes.MultiplyBits(x, TLanes.Create(0x7FEB352Du));
        x ^= x >>> 15;
        x = TLanes.MultiplyBits(x, TLanes.Create(0x846CA68Bu));
        return x ^ (x >>> 16);
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

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Tandem.Native;
using static TorchSharp.torch;

namespace Tandem.Kernels;

/// <summary>
/// Float32 matrix products <c>C = A B</c> (or <c>C += A B</c>) with 512-bit multiply-adds, for the products of
/// training and of batched inference. libtorch hands every float32 product to MKL's <c>sgemm</c>, which takes its
/// AVX2 path on AMD CPUs: on this project's 2-core AMD EPYC (Zen 5, full-width AVX-512) about 150-175 GFLOP/s on two
/// threads, half of what the cores do with 512-bit vectors (ONNX Runtime's own kernels reach ~290 on the MiniLM
/// encoder). This is the classic blocked product (GotoBLAS, BLIS): a <c>256</c>-deep slice of <c>B</c> packed in
/// panels of 64 columns, <c>A</c> in panels of 6 rows, and a 6 x 64 micro-kernel that keeps its 24 sums in
/// registers; 175-336 GFLOP/s at the training step's shapes against libtorch's 158-189 (<c>bench/Tandem.Bench --
/// sgemm</c>). Operands are any
/// 2-D float32 views whose elements lie in one dense block (a contiguous matrix or its transpose), so gradients
/// multiply by transposed operands without copying them. Each sum is accumulated in float32 in the order of its
/// depth, so a result does not depend on the thread count.
/// </summary>
internal static class Float32Gemm
{
    const int MR = 6, NR = 64, KC = 256, MC = 96, NC = 512;

    /// <summary>Whether the kernel runs here: 512-bit vectors accelerated, and not switched off with the environment
    /// variable <c>TANDEM_FP32_GEMM=0</c> (then every float32 product is libtorch's, for comparison).</summary>
    public static bool Available { get; } = Vector512.IsHardwareAccelerated && Avx512F.IsSupported
        && Environment.GetEnvironmentVariable("TANDEM_FP32_GEMM") != "0";

    /// <summary>The most elements an operand or result may have: its bytes are read as one span (under 2 GiB).</summary>
    public const long MaxElements = int.MaxValue / sizeof(float);

    /// <summary>Whether <paramref name="t"/> is a float32 CPU matrix this kernel reads in place: 2-D, its elements one
    /// dense block (contiguous, or the transpose of a contiguous matrix), at most <see cref="MaxElements"/>.</summary>
    public static bool Readable(Tensor t) =>
        t.dtype == ScalarType.Float32 && t.device_type == TorchSharp.DeviceType.CPU && t.dim() == 2 && t.numel() <= MaxElements
        && (t.is_contiguous() || (t.stride(0) == 1 && t.stride(1) == t.size(0)));

    /// <summary>
    /// <paramref name="c"/> <c>[m, n]</c> (contiguous) set to <paramref name="a"/> <c>[m, k]</c> times
    /// <paramref name="b"/> <c>[k, n]</c>, or that product added to it with <paramref name="accumulate"/>; both operands
    /// <see cref="Readable"/>. Products of 2^21 multiply-adds and more are split into units that up to
    /// <see cref="KernelThreads.Allowed"/> threads claim (see <see cref="Job"/>). Without AVX-512 it is libtorch's <c>mm</c>.
    /// </summary>
    public static void Multiply(Tensor a, Tensor b, Tensor c, bool accumulate)
    {
        if (!Readable(a) || !Readable(b) || !Readable(c) || !c.is_contiguous())
            throw new ArgumentException("Float32Gemm takes dense 2-D float32 operands and a contiguous result.");
        int m = (int)a.size(0), k = (int)a.size(1), n = (int)b.size(1);
        if (b.size(0) != k || c.size(0) != m || c.size(1) != n)
            throw new ArgumentException($"Float32Gemm: [{m}, {k}] x [{b.size(0)}, {n}] into [{c.size(0)}, {c.size(1)}].");
        if (m == 0 || n == 0) return;
        if (!Avx512F.IsSupported)                                                               // no 512-bit multiply-adds: libtorch's
        {
            using var product = a.mm(b);
            if (accumulate) c.AddInPlace(product);                                              // in place: returns c itself
            else c.copy_(product);
            return;
        }
        using var job = new Job(a, b, c, m, n, k, accumulate);
        int threads = (long)m * n * k < 1 << 21 ? 1 : Math.Min(KernelThreads.Allowed(), job.Units);
        if (threads <= 1) job.Work();
        else Parallel.For(0, threads, KernelThreads.Options(), _ => job.Work());
    }

    /// <summary>Per-thread buffers: the shared packed operand (on the calling thread) and a unit's own packing.</summary>
    [ThreadStatic] static float[]? _shared, _own;

    static float[] AtLeast(ref float[]? buffer, long length) =>
        buffer is { } b && b.Length >= length ? b : buffer = GC.AllocateUninitializedArray<float>((int)length);   // packing writes every place it reads

    /// <summary>
    /// One product, split into units that threads claim one at a time (the calling thread too), so a thread that
    /// starts late or shares its core (libtorch's OpenMP workers spin for a while after each operation) takes fewer
    /// units instead of holding the others up. The smaller operand is packed once, by the calling thread, and shared:
    /// with at least as many columns as rows, all of <c>A</c>, and a unit is a block of columns that packs its own
    /// slices of <c>B</c>; otherwise all of <c>B</c>, and a unit is <see cref="MC"/> rows that pack their own <c>A</c>.
    /// Each operand's memory is read through a contiguous tensor (the operand or its transpose).
    /// </summary>
    sealed class Job : IDisposable
    {
        readonly int _m, _n, _k, _aRow, _aCol, _bRow, _bCol, _ldc, _unitColumns;
        readonly bool _accumulate, _byColumns;
        readonly Tensor _aMemory, _bMemory, _c;
        readonly float[] _packed;
        int _next;

        public Job(Tensor a, Tensor b, Tensor c, int m, int n, int k, bool accumulate)
        {
            (_m, _n, _k, _accumulate, _c) = (m, n, k, accumulate, c);
            (_aRow, _aCol, _bRow, _bCol, _ldc) = ((int)a.stride(0), (int)a.stride(1), (int)b.stride(0), (int)b.stride(1), (int)c.stride(0));
            _aMemory = a.is_contiguous() ? a.alias() : a.t();
            _bMemory = b.is_contiguous() ? b.alias() : b.t();
            _byColumns = n >= m;
            int panels = (n + NR - 1) / NR, perUnit = Math.Clamp(panels / (4 * Math.Max(1, KernelThreads.Allowed())), 1, NC / NR);
            _unitColumns = perUnit * NR;
            Units = _byColumns ? (n + _unitColumns - 1) / _unitColumns : (m + MC - 1) / MC;
            if (_byColumns)
            {
                _packed = AtLeast(ref _shared, (long)k * RoundUp(m, MR));
                for (int pc = 0; pc < k; pc += KC) PackA(A, 0, m, pc, Math.Min(KC, k - pc), _packed.AsSpan(pc * RoundUp(m, MR)));
            }
            else
            {
                _packed = AtLeast(ref _shared, (long)k * RoundUp(n, NR));
                for (int pc = 0; pc < k; pc += KC) PackB(B, pc, Math.Min(KC, k - pc), 0, n, _packed.AsSpan(pc * RoundUp(n, NR)));
            }
        }

        /// <summary>How many units the product is split into.</summary>
        public int Units { get; }

        ReadOnlySpan<float> A => MemoryMarshal.Cast<byte, float>(_aMemory.bytes);
        ReadOnlySpan<float> B => MemoryMarshal.Cast<byte, float>(_bMemory.bytes);

        public void Dispose()
        {
            _aMemory.Dispose();
            _bMemory.Dispose();
        }

        /// <summary>Claims and computes units until none is left.</summary>
        public void Work()
        {
            for (int unit; (unit = Interlocked.Increment(ref _next) - 1) < Units;)
                if (_byColumns) Columns(unit * _unitColumns, Math.Min(_n, (unit + 1) * _unitColumns));
                else Rows(unit * MC, Math.Min(_m, (unit + 1) * MC));
        }

        /// <summary>Columns <c>[col0, col1)</c> of the result: each 256-deep slice of <c>B</c> packed here, times the
        /// shared packed <c>A</c>.</summary>
        void Columns(int col0, int col1)
        {
            int width = col1 - col0, mPad = RoundUp(_m, MR);
            var own = AtLeast(ref _own, (long)KC * RoundUp(width, NR));
            for (int pc = 0; pc < _k; pc += KC)
            {
                int kc = Math.Min(KC, _k - pc);
                PackB(B, pc, kc, col0, width, own);
                for (int ic = 0; ic < _m; ic += MC)
                    Blocks(ic, Math.Min(_m, ic + MC), col0, col1, pc, kc, _packed.AsSpan(pc * mPad), 0, own, col0);
            }
        }

        /// <summary>Rows <c>[row0, row1)</c> of the result: each slice of them packed here, times the shared packed <c>B</c>.</summary>
        void Rows(int row0, int row1)
        {
            int nPad = RoundUp(_n, NR);
            var own = AtLeast(ref _own, (long)KC * (MC + MR));
            for (int pc = 0; pc < _k; pc += KC)
            {
                int kc = Math.Min(KC, _k - pc);
                PackA(A, row0, row1 - row0, pc, kc, own);
                Blocks(row0, row1, 0, _n, pc, kc, own, row0, _packed.AsSpan(pc * nPad), 0);
            }
        }

        /// <summary>The result's rows <c>[row0, row1)</c> and columns <c>[col0, col1)</c> for the slice at depth
        /// <paramref name="pc"/>: packed <c>A</c> panels from row <paramref name="aFirstRow"/>, <c>B</c> panels from
        /// column <paramref name="bFirstColumn"/>.</summary>
        void Blocks(int row0, int row1, int col0, int col1, int pc, int kc, Span<float> packedA, int aFirstRow, Span<float> packedB, int bFirstColumn)
        {
            bool add = _accumulate || pc > 0;
            var c = MemoryMarshal.Cast<byte, float>(_c.bytes);
            Span<float> tile = stackalloc float[MR * NR];
            for (int col = col0; col < col1; col += NR)
            {
                int cols = Math.Min(NR, col1 - col);
                ref float panelB = ref packedB[(col - bFirstColumn) * kc];                          // panel (col - first) / NR, kc x NR each
                for (int row = row0; row < row1; row += MR)
                {
                    int rows = Math.Min(MR, row1 - row);
                    ref float panelA = ref packedA[(row - aFirstRow) * kc];                         // panel (row - first) / MR, kc x MR each
                    if (rows == MR && cols == NR)
                    {
                        Kernel(kc, ref panelA, ref panelB, ref c[row * _ldc + col], _ldc, add);
                        continue;
                    }
                    for (int i = 0; i < MR; i++)                                                  // an edge: through a full tile
                        for (int j = 0; j < NR; j++)
                            tile[i * NR + j] = add && i < rows && j < cols ? c[(row + i) * _ldc + col + j] : 0f;
                    Kernel(kc, ref panelA, ref panelB, ref tile[0], NR, true);
                    for (int i = 0; i < rows; i++) tile.Slice(i * NR, cols).CopyTo(c.Slice((row + i) * _ldc + col, cols));
                }
            }
        }

        /// <summary><c>B[pc .. pc+kc, jc .. jc+nc]</c> into panels of <see cref="NR"/> columns, each <c>[kc][NR]</c>,
        /// the last padded with zeros.</summary>
        void PackB(ReadOnlySpan<float> b, int pc, int kc, int jc, int nc, Span<float> packed)
        {
            for (int jp = 0; jp * NR < nc; jp++)
            {
                int cols = Math.Min(NR, nc - jp * NR), first = jc + jp * NR;
                var panel = packed.Slice(jp * kc * NR, kc * NR);
                if (_bCol == 1)
                {
                    for (int kk = 0; kk < kc; kk++)
                    {
                        var target = panel.Slice(kk * NR, NR);
                        b.Slice((pc + kk) * _bRow + first, cols).CopyTo(target);
                        target[cols..].Clear();
                    }
                    continue;
                }
                if (cols < NR) panel.Clear();
                for (int j = 0; j < cols; j++)                                                  // a transposed B: read down its columns
                {
                    var column = b[((first + j) * _bCol + pc * _bRow)..];
                    for (int kk = 0; kk < kc; kk++) panel[kk * NR + j] = column[kk * _bRow];
                }
            }
        }

        /// <summary><c>A[ic .. ic+mc, pc .. pc+kc]</c> into panels of <see cref="MR"/> rows, each <c>[kc][MR]</c>, the
        /// last padded with zeros.</summary>
        void PackA(ReadOnlySpan<float> a, int ic, int mc, int pc, int kc, Span<float> packed)
        {
            for (int ip = 0; ip * MR < mc; ip++)
            {
                int rows = Math.Min(MR, mc - ip * MR), first = ic + ip * MR;
                var panel = packed.Slice(ip * kc * MR, kc * MR);
                if (rows < MR) panel.Clear();
                if (_aCol == 1)
                    for (int i = 0; i < rows; i++)
                    {
                        var row = a.Slice((first + i) * _aRow + pc, kc);
                        for (int kk = 0; kk < kc; kk++) panel[kk * MR + i] = row[kk];
                    }
                else
                    for (int kk = 0; kk < kc; kk++)                                            // a transposed A: its rows are columns
                    {
                        var column = a[((pc + kk) * _aCol + first * _aRow)..];
                        for (int i = 0; i < rows; i++) panel[kk * MR + i] = column[i * _aRow];
                    }
            }
        }
    }

    static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>The 6 x 64 block at <paramref name="c"/> (row stride <paramref name="ldc"/>) set to, or with
    /// <paramref name="accumulate"/> increased by, the product of a packed 6-row panel of <c>A</c> and a packed
    /// 64-column panel of <c>B</c>, <paramref name="kc"/> deep: 24 sums held in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Kernel(int kc, ref float a, ref float b, ref float c, int ldc, bool accumulate)
    {
        ref float r1 = ref Unsafe.Add(ref c, ldc), r2 = ref Unsafe.Add(ref c, 2 * ldc), r3 = ref Unsafe.Add(ref c, 3 * ldc);
        ref float r4 = ref Unsafe.Add(ref c, 4 * ldc), r5 = ref Unsafe.Add(ref c, 5 * ldc);
        Vector512<float> c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23;
        Vector512<float> c30, c31, c32, c33, c40, c41, c42, c43, c50, c51, c52, c53;
        if (accumulate)
        {
            (c00, c01, c02, c03) = Load(ref c);
            (c10, c11, c12, c13) = Load(ref r1);
            (c20, c21, c22, c23) = Load(ref r2);
            (c30, c31, c32, c33) = Load(ref r3);
            (c40, c41, c42, c43) = Load(ref r4);
            (c50, c51, c52, c53) = Load(ref r5);
        }
        else
        {
            c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = c20 = c21 = c22 = c23 = Vector512<float>.Zero;
            c30 = c31 = c32 = c33 = c40 = c41 = c42 = c43 = c50 = c51 = c52 = c53 = Vector512<float>.Zero;
        }
        for (int kk = 0; kk < kc; kk++)
        {
            var b0 = Vector512.LoadUnsafe(ref b, 0);
            var b1 = Vector512.LoadUnsafe(ref b, 16);
            var b2 = Vector512.LoadUnsafe(ref b, 32);
            var b3 = Vector512.LoadUnsafe(ref b, 48);
            var x = Vector512.Create(a);
            c00 = Avx512F.FusedMultiplyAdd(x, b0, c00); c01 = Avx512F.FusedMultiplyAdd(x, b1, c01);
            c02 = Avx512F.FusedMultiplyAdd(x, b2, c02); c03 = Avx512F.FusedMultiplyAdd(x, b3, c03);
            x = Vector512.Create(Unsafe.Add(ref a, 1));
            c10 = Avx512F.FusedMultiplyAdd(x, b0, c10); c11 = Avx512F.FusedMultiplyAdd(x, b1, c11);
            c12 = Avx512F.FusedMultiplyAdd(x, b2, c12); c13 = Avx512F.FusedMultiplyAdd(x, b3, c13);
            x = Vector512.Create(Unsafe.Add(ref a, 2));
            c20 = Avx512F.FusedMultiplyAdd(x, b0, c20); c21 = Avx512F.FusedMultiplyAdd(x, b1, c21);
            c22 = Avx512F.FusedMultiplyAdd(x, b2, c22); c23 = Avx512F.FusedMultiplyAdd(x, b3, c23);
            x = Vector512.Create(Unsafe.Add(ref a, 3));
            c30 = Avx512F.FusedMultiplyAdd(x, b0, c30); c31 = Avx512F.FusedMultiplyAdd(x, b1, c31);
            c32 = Avx512F.FusedMultiplyAdd(x, b2, c32); c33 = Avx512F.FusedMultiplyAdd(x, b3, c33);
            x = Vector512.Create(Unsafe.Add(ref a, 4));
            c40 = Avx512F.FusedMultiplyAdd(x, b0, c40); c41 = Avx512F.FusedMultiplyAdd(x, b1, c41);
            c42 = Avx512F.FusedMultiplyAdd(x, b2, c42); c43 = Avx512F.FusedMultiplyAdd(x, b3, c43);
            x = Vector512.Create(Unsafe.Add(ref a, 5));
            c50 = Avx512F.FusedMultiplyAdd(x, b0, c50); c51 = Avx512F.FusedMultiplyAdd(x, b1, c51);
            c52 = Avx512F.FusedMultiplyAdd(x, b2, c52); c53 = Avx512F.FusedMultiplyAdd(x, b3, c53);
            a = ref Unsafe.Add(ref a, MR);
            b = ref Unsafe.Add(ref b, NR);
        }
        Store(ref c, c00, c01, c02, c03);
        Store(ref r1, c10, c11, c12, c13);
        Store(ref r2, c20, c21, c22, c23);
        Store(ref r3, c30, c31, c32, c33);
        Store(ref r4, c40, c41, c42, c43);
        Store(ref r5, c50, c51, c52, c53);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static (Vector512<float>, Vector512<float>, Vector512<float>, Vector512<float>) Load(ref float row) =>
        (Vector512.LoadUnsafe(ref row, 0), Vector512.LoadUnsafe(ref row, 16), Vector512.LoadUnsafe(ref row, 32), Vector512.LoadUnsafe(ref row, 48));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store(ref float row, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3)
    {
        v0.StoreUnsafe(ref row, 0);
        v1.StoreUnsafe(ref row, 16);
        v2.StoreUnsafe(ref row, 32);
        v3.StoreUnsafe(ref row, 48);
    }
}

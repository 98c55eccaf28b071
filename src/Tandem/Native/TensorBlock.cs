using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Tandem.Native;

/// <summary>
/// Many dense tensors carved from one allocation per dtype. libtorch backs a block of 2 MiB and more with transparent
/// huge pages (<see cref="HugePages"/>), but a model's many smaller matrices (a 384 x 384 float32 matrix is 576 KiB, in
/// bf16 288 KiB) each land on 4 KiB pages, and on the project's VMs the first touch of every fresh 4 KiB page is a fault
/// of about 10 us: filling a MiniLM2MiniLM model's weights took 27,000 faults and 400 ms. Carved from one block they
/// share its huge pages. A view keeps its block alive; the block's memory is freed with the last view.
/// </summary>
internal static class TensorBlock
{
    /// <summary>Each view starts at a multiple of 32 elements: 64 bytes (a cache line, an AVX-512 register) or more
    /// for the 2-byte dtypes and wider.</summary>
    const long Align = 32;

    /// <summary>How a tensor lies in memory, as far as a block can copy it.</summary>
    internal enum Layout
    {
        /// <summary>Neither of the others: not carved.</summary>
        Other,
        /// <summary>Contiguous, row-major.</summary>
        RowMajor,
        /// <summary>A matrix that is the transpose of a contiguous one (<see cref="Modeling.Linear"/>'s weights).</summary>
        ColumnMajor,
    }

    /// <summary>The layout of <paramref name="t"/>.</summary>
    public static Layout LayoutOf(Tensor t) =>
        t.is_contiguous() ? Layout.RowMajor
        : t.dim() == 2 && t.stride(0) == 1 && t.stride(1) == t.size(0) ? Layout.ColumnMajor
        : Layout.Other;

    /// <summary>Where the data of a row- or column-major tensor starts in memory (to tell shared memory apart).</summary>
    public static long Address(Tensor t)
    {
        using var rows = t.is_contiguous() ? null : t.t();
        return Unsafe.ByteOffset(ref Unsafe.NullRef<byte>(), ref MemoryMarshal.GetReference((rows ?? t).bytes));
    }

    /// <summary>Uninitialised views, one per spec (null for a spec of <see cref="Layout.Other"/>), with the spec's
    /// shape, dtype and layout, carved from one new block per dtype on <paramref name="device"/>; the caller owns them
    /// (they are in no dispose scope).</summary>
    public static Tensor?[] Carve(IReadOnlyList<(long[] Shape, ScalarType Dtype, Layout Layout)> specs, Device device)
    {
        var views = new Tensor?[specs.Count];
        var starts = new long[specs.Count];
        var dtypes = new List<ScalarType>();
        foreach (var spec in specs)
            if (spec.Layout != Layout.Other && !dtypes.Contains(spec.Dtype)) dtypes.Add(spec.Dtype);
        foreach (var dtype in dtypes)                      // plain loops: no generic instantiations to JIT at start-up
        {
            long total = 0;
            for (int i = 0; i < specs.Count; i++)
            {
                if (specs[i].Layout == Layout.Other || specs[i].Dtype != dtype) continue;
                starts[i] = total;
                total += (Count(specs[i].Shape) + Align - 1) / Align * Align;
            }
            using var block = empty([total], dtype, device);
            for (int i = 0; i < specs.Count; i++)
            {
                var (shape, _, layout) = specs[i];
                if (layout == Layout.Other || specs[i].Dtype != dtype) continue;
                using var flat = block.narrow(0, starts[i], Count(shape));
                if (layout == Layout.RowMajor) views[i] = flat.view(shape).DetachFromDisposeScope();
                else
                {
                    using var rows = flat.view(shape[1], shape[0]);
                    views[i] = rows.t().DetachFromDisposeScope();
                }
            }
        }
        return views;
    }

    static long Count(long[] shape)
    {
        long n = 1;
        foreach (long d in shape) n *= d;
        return n;
    }
}

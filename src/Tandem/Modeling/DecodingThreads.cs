using Tandem.Kernels;
using static TorchSharp.torch;

namespace Tandem.Modeling;

/// <summary>
/// libtorch on one thread for cached decoding steps of one to four rows (greedy at batch 1 to 4, beam 4 at batch 1).
/// Such a step is a chain of one-row products between ~200 small libtorch operations (LayerNorm, attention over the
/// cache, residual adds) that a second thread does not shorten: with two threads the second one spins at every
/// operation's barrier. In bf16 the products are <see cref="Bf16Matvec"/>'s, which do not use libtorch's threads
/// (they take <see cref="MatvecHelper"/>'s second core where the count before this scope, <see cref="Outer"/>, is two
/// or more), and a greedy step took 6.9-7.3 ms at two threads against 4.6-4.9 ms at one; in float32 MKL's one-row
/// products lose their second thread but the step still gained: greedy 133 / 121 -> 160 / 150 tokens/s, beam 4
/// 73 / 76 -> 81 / 90 (<c>bench/Tandem.Bench -- generate [--bf16] --threads 2</c> against <c>--threads 1</c>,
/// alternating runs; both before the helper). The encoder and every larger product keep all threads.
/// </summary>
internal static class DecodingThreads
{
    /// <summary>The most rows a step may have: the measured cases (batch 1, beam 4).</summary>
    public const int MaxRows = 4;

    /// <summary>libtorch's thread count on this thread before a scope set it to one (0 outside a scope): Tandem's own
    /// kernels may still use that many (<see cref="MatvecHelper"/>).</summary>
    [ThreadStatic] internal static int Outer;

    /// <summary>Sets libtorch's thread count on this thread to one for decoding steps of <paramref name="rows"/> rows,
    /// or returns null where that does not apply (more than <see cref="MaxRows"/> rows, one thread already). Dispose
    /// on the same thread: it restores the count.</summary>
    public static IDisposable? Enter(long rows)
    {
        if (rows > MaxRows) return null;
        int threads = get_num_threads();
        if (threads < 2) return null;
        set_num_threads(1);
        var scope = new Scope(threads, Outer);
        Outer = threads;
        return scope;
    }

    sealed class Scope(int threads, int outer) : IDisposable
    {
        bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            set_num_threads(threads);
            Outer = outer;
        }
    }
}

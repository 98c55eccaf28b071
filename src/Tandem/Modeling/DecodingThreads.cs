using Tandem.Kernels;
using static TorchSharp.torch;

namespace Tandem.Modeling;

/// <summary>
/// libtorch on one thread for the cached bf16 decoding steps of one to four rows. Such a step is a chain of one-row
/// products that <see cref="Bf16Matvec"/> computes on the calling thread, between ~200 small libtorch operations
/// (LayerNorm, attention over the cache, residual adds) that a second thread does not shorten: with two threads the
/// second one spins at every operation's barrier, and the step took 6.9-7.3 ms against 4.6-4.9 ms on one thread
/// (<c>bench/Tandem.Bench -- generate --bf16 --threads 2</c> and <c>--threads 1</c>, greedy at batch 1, alternating
/// runs). <c>tandem ask</c> runs on one thread throughout; this gives a caller with more threads (the library, the
/// server, <c>--threads 2</c>) the same steps, while the encoder and every larger product keep all threads.
/// </summary>
internal static class DecodingThreads
{
    /// <summary>Sets libtorch's thread count on this thread to one for decoding steps of <paramref name="rows"/> rows,
    /// or returns null where that does not apply (not under a bf16 <see cref="Autocast"/> scope, more rows than the
    /// kernel serves, no AVX-512 for it, one thread already). Dispose on the same thread: it restores the count.</summary>
    public static IDisposable? Enter(long rows)
    {
        if (Autocast.Dtype != ScalarType.BFloat16 || !Bf16Matvec.Available || rows > Bf16Matvec.MaxRows) return null;
        int threads = get_num_threads();
        if (threads < 2) return null;
        set_num_threads(1);
        return new Scope(threads);
    }

    sealed class Scope(int threads) : IDisposable
    {
        bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            set_num_threads(threads);
        }
    }
}

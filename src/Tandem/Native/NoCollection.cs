using System.Runtime;

namespace Tandem.Native;

/// <summary>
/// Holds .NET's garbage collector off while a stretch of libtorch calls runs (a training step, an evaluation batch):
/// a second guard against the race <see cref="Scalars"/> describes. TorchSharp hands libtorch the native pointer of a
/// <c>Scalar</c> without keeping the .NET object alive through the call, and a collection that another thread starts
/// meanwhile can finalize a scalar made on the spot while libtorch reads it ("Expected false to be true, but got
/// false" from <c>c10/core/Scalar.h</c>). Tandem's own code makes none (<see cref="Scalars"/>; a test reads the compiled
/// code for it), but a training step also runs TorchSharp code that no reading of Tandem's calls reaches (TorchSharp's
/// AdamW step for parameters the fused step does not take, modules reached through virtual calls), so the step runs in
/// a region too. Inside a region no collection runs, so nothing made in it is finalized before the region ends; the
/// collection that opens it runs on the calling thread before the region's calls. One thread holds the region at a
/// time, nesting as it likes; another thread's <see cref="Enter"/> meanwhile gets no region of its own (the one open
/// covers it until it closes), so no region outlives its owner's work and collections resume between steps. If .NET
/// ends a region early (its allocations passed <see cref="Budget"/>), <see cref="Overruns"/> counts it. Generation
/// runs without regions (<see cref="Scalars"/> covers it): inside one every allocation takes fresh memory instead of
/// the collector's warm nursery, and decoding (many small allocations a token) ran 5-20 % slower; and a server's
/// request threads, allocating while the model answered, grew Tandem's server by 47-196 MiB over 10,000 requests. A
/// host whose other threads allocate heavily during training can turn regions off (<see cref="Enabled"/>).
/// </summary>
public sealed class NoCollection : IDisposable
{
    static readonly Lock Gate = new();
    static int _owner;                                             // managed thread id holding the region; 0: none
    static int _depth;
    static bool _started;
    static long _overruns;

    /// <summary>Whether <see cref="Enter"/> opens regions (default true; off: it does nothing).</summary>
    public static bool Enabled { get; set; } = true;

    /// <summary>The managed allocation a region asks .NET to allow: a GeoQuery training step allocates up to 2.5 MB
    /// (.NET 10 lets a region run past it rather than end it).</summary>
    public const long Budget = 16L << 20;

    /// <summary>Regions .NET ended early because their allocations passed <see cref="Budget"/>.</summary>
    public static long Overruns => Interlocked.Read(ref _overruns);

    readonly bool _holds;
    bool _disposed;

    NoCollection(bool holds) => _holds = holds;

    /// <summary>Opens a region on this thread (or nests in the one it holds); dispose to close it.</summary>
    public static NoCollection Enter()
    {
        int me = Environment.CurrentManagedThreadId;
        lock (Gate)
        {
            if (!Enabled || (_owner != 0 && _owner != me)) return new NoCollection(holds: false);
            if (_depth++ == 0)
            {
                _owner = me;
                try { _started = GC.TryStartNoGCRegion(Budget, disallowFullBlockingGC: true); }
                catch (InvalidOperationException) { _started = false; }   // opened elsewhere without this class
                catch (ArgumentOutOfRangeException) { _started = false; } // budget above this runtime's limit
            }
            return new NoCollection(holds: true);
        }
    }

    /// <summary>Closes this region; the .NET region ends with the outermost one.</summary>
    public void Dispose()
    {
        if (_disposed || !_holds) return;
        _disposed = true;
        lock (Gate)
        {
            if (--_depth > 0) return;
            _owner = 0;
            if (!_started) return;
            _started = false;
            if (GCSettings.LatencyMode != GCLatencyMode.NoGCRegion)
            {
                Interlocked.Increment(ref _overruns);
                return;
            }
            try { GC.EndNoGCRegion(); }
            catch (InvalidOperationException) { Interlocked.Increment(ref _overruns); }   // a collection ended it
        }
    }
}

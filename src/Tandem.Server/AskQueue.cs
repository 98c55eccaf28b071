namespace Tandem.Server;

/// <summary>Thrown when the queue holds <see cref="AskQueue.Capacity"/> requests already, or a request waited longer
/// than its time allows; the endpoint answers 503.</summary>
public sealed class QueueFullException(string message) : Exception(message);

/// <summary>
/// One piece of work at a time (the model is not safe for concurrent generation, nor the database connection for
/// concurrent queries), with at most <see cref="Capacity"/> requests admitted: the one running and those waiting.
/// A request beyond that is refused at once rather than piling up; one that waits past its time is dropped.
/// </summary>
public sealed class AskQueue(int capacity, TimeSpan timeout) : IDisposable
{
    readonly SemaphoreSlim _turn = new(1, 1);
    int _admitted;

    /// <summary>Requests admitted at once, the running one included.</summary>
    public int Capacity { get; } = capacity;

    /// <summary>Requests admitted now (running or waiting).</summary>
    public int Admitted => Volatile.Read(ref _admitted);

    /// <summary>Requests refused because the queue was full or their wait ran out, since the start.</summary>
    public long Refused => Interlocked.Read(ref _refused);
    long _refused;

    /// <summary>Waits for the turn (at most the queue's timeout, or until <paramref name="cancel"/>), then runs
    /// <paramref name="work"/> on the caller's thread and returns its value.</summary>
    /// <exception cref="QueueFullException">The queue is full, or the wait ran out.</exception>
    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken cancel)
    {
        if (Interlocked.Increment(ref _admitted) > Capacity)
        {
            Interlocked.Decrement(ref _admitted);
            Interlocked.Increment(ref _refused);
            throw new QueueFullException($"the server is busy: {Capacity} question(s) are queued already; try again shortly");
        }
        try
        {
            if (!await _turn.WaitAsync(timeout, cancel))
            {
                Interlocked.Increment(ref _refused);
                throw new QueueFullException($"the server is busy: no turn within {timeout.TotalSeconds:0} s; try again shortly");
            }
            try { return work(); }
            finally { _turn.Release(); }
        }
        finally { Interlocked.Decrement(ref _admitted); }
    }

    /// <summary>Releases the semaphore.</summary>
    public void Dispose() => _turn.Dispose();
}

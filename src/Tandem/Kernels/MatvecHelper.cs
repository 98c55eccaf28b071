using System.Diagnostics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Tandem.Kernels;

/// <summary>
/// A second core for <see cref="Bf16Matvec"/>'s larger products. A one-row product streams its weight from memory,
/// and one core reads memory at 22-27 GB/s on this project's VM while two read 30-41 in all
/// (<c>bench/Tandem.Bench -- matvec</c>, a 48 MB sum). Such a product is computed in two halves over the weight's input positions, the first added into the
/// caller's sums (which start at the bias), the second into sums of its own that are added in at the end; a helper
/// thread takes the second half when it is free, else the caller does. The halves and the order of the sums are the
/// same whoever computes them, so the result does not depend on threads or timing.
/// </summary>
/// <remarks>
/// The caller never waits for the helper to start: it claims halves until none is left and then waits only for a
/// half the helper has claimed, so a helper that is asleep, descheduled or busy with another caller's product costs
/// at most the half it holds (on a busy machine the caller does the whole product, as before). Between products the
/// helper spins for <see cref="SpinMicroseconds"/> (a decoding step's products follow each other within tens of
/// microseconds), then sleeps until the next one. One product at a time has the helper; a concurrent caller (the
/// server) multiplies alone. <c>TANDEM_MATVEC_HELPER=0</c> switches the helper off (the halves stay).
/// </remarks>
internal static class MatvecHelper
{
    /// <summary>Whether a helper may run: two cores or more, and not switched off.</summary>
    public static bool Available { get; } =
        Environment.ProcessorCount >= 2 && Environment.GetEnvironmentVariable("TANDEM_MATVEC_HELPER") != "0";

    /// <summary>The smallest product (input times output positions) computed in halves; the decoder's are 147,456
    /// (384 x 384) and up.</summary>
    public const long MinElements = 1 << 16;

    /// <summary>How many halves the helper thread has computed since the process started.</summary>
    public static long HelperHalves => Interlocked.Read(ref _helperHalves);

    /// <summary>How long the helper waits for the next product before it sleeps.</summary>
    public const int SpinMicroseconds = 200;

    sealed class Job(float[] inputs, int rows, int inDim, Tensor weight, int outDim, float[] first, float[] second)
    {
        public readonly float[] Inputs = inputs, First = first, Second = second;
        public readonly int Rows = rows, InDim = inDim, OutDim = outDim, Split = inDim / 2 & ~3;
        public readonly Tensor Weight = weight;
        public int Next;                                                                       // halves claimed, by either thread
        public int HelperActive;                                                               // 1 while the helper may claim
        public Exception? HelperFailure;                                                       // what the helper's half threw

        /// <summary>Claims and computes halves until both are taken; returns how many this thread computed.</summary>
        public int Work(ReadOnlySpan<ushort> w)
        {
            int done = 0;
            for (int half; (half = Interlocked.Increment(ref Next) - 1) < 2; done++)
            {
                int n = Rows * OutDim;
                if (half == 0) Bf16Matvec.AddPart(Inputs, Rows, InDim, 0, Split, w, OutDim, First.AsSpan(0, n));
                else
                {
                    var sums = Second.AsSpan(0, n);
                    sums.Clear();
                    Bf16Matvec.AddPart(Inputs, Rows, InDim, Split, InDim, w, OutDim, sums);
                }
            }
            return done;
        }
    }

    static Job? _posted;
    static long _helperHalves;
    static int _sleeping;
    [ThreadStatic] static float[]? _second;
    static readonly ManualResetEventSlim Wake = new(false);
    static readonly Lock StartLock = new();
    static Thread? _thread;

    /// <summary>
    /// <c>sums[r] += inputs[r] W</c> for <paramref name="rows"/> rows of <paramref name="inDim"/> inputs, in two
    /// halves, the helper taking one where <paramref name="helper"/> and it is free: <paramref name="weight"/> is the
    /// bf16 <c>[in, out]</c> tensor, contiguous (each thread reads its bits; it is alive for the call);
    /// <paramref name="sums"/> holds <c>rows * out</c> values at its start.
    /// </summary>
    public static void Multiply(float[] inputs, int rows, int inDim, Tensor weight, int outDim, float[] sums, bool helper)
    {
        int n = rows * outDim;
        var second = Bf16Matvec.AtLeast(ref _second, n);
        var job = new Job(inputs, rows, inDim, weight, outDim, sums, second);
        bool posted = helper && Available && Interlocked.CompareExchange(ref _posted, job, null) is null;
        try
        {
            if (posted)
            {
                Start();
                if (Volatile.Read(ref _sleeping) == 1) Wake.Set();
            }
            job.Work(Bits(weight));
        }
        finally
        {
            if (posted)
            {
                Interlocked.Exchange(ref job.Next, 2);                                         // no half left to claim, also after a failure here
                var spin = new SpinWait();
                while (Volatile.Read(ref job.HelperActive) != 0) spin.SpinOnce(sleep1Threshold: -1);
                Volatile.Write(ref _posted, null);
            }
        }
        if (job.HelperFailure is { } failure) ExceptionDispatchInfo.Throw(failure);         // the caller's, as if it had computed the half
        TensorPrimitives.Add(sums.AsSpan(0, n), second.AsSpan(0, n), sums.AsSpan(0, n));
    }

    static ReadOnlySpan<ushort> Bits(Tensor weight) => MemoryMarshal.Cast<byte, ushort>(weight.bytes);

    static void Start()
    {
        if (Volatile.Read(ref _thread) is not null) return;
        lock (StartLock)
        {
            if (_thread is not null) return;
            var thread = new Thread(Loop) { IsBackground = true, Name = "Tandem matvec helper" };
            thread.Start();
            Volatile.Write(ref _thread, thread);
        }
    }

    static void Loop()
    {
        Job? last = null;
        long spinUntil = 0, spinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;
        while (true)
        {
            var job = Volatile.Read(ref _posted);
            if (job is null || ReferenceEquals(job, last))
            {
                if (Stopwatch.GetTimestamp() < spinUntil)
                {
                    Thread.SpinWait(20);
                    continue;
                }
                Wake.Reset();
                Interlocked.Exchange(ref _sleeping, 1);
                job = Volatile.Read(ref _posted);
                if (job is null || ReferenceEquals(job, last)) Wake.Wait();
                Interlocked.Exchange(ref _sleeping, 0);
                spinUntil = Stopwatch.GetTimestamp() + spinTicks;
                continue;
            }
            last = job;
            Interlocked.Increment(ref job.HelperActive);
            try
            {
                if (Volatile.Read(ref job.Next) < 2)
                    Interlocked.Add(ref _helperHalves, job.Work(Bits(job.Weight)));
            }
            catch (Exception e) { job.HelperFailure = e; }                                  // the caller throws it: a helper never ends the process
            Interlocked.Decrement(ref job.HelperActive);
            spinUntil = Stopwatch.GetTimestamp() + spinTicks;
        }
    }
}

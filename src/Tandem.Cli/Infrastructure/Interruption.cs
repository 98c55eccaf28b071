using System.Runtime.InteropServices;

namespace Tandem.Cli.Infrastructure;

/// <summary>
/// SIGINT (Ctrl+C), SIGTERM (kill, a job scheduler, <c>timeout</c>) and SIGHUP (the terminal closed) during a long
/// command: the first one cancels <see cref="Token"/>, so the command finishes its current step, writes what it
/// must (a checkpoint) and returns <see cref="ExitCode"/>, the shell's 128 + signal number. A second signal is left
/// to its default action and ends the process at once; what was written before stays whole (checkpoints are renamed
/// into place only when complete).
/// </summary>
internal sealed class Interruption : IDisposable
{
    readonly CancellationTokenSource _cts = new();
    readonly PosixSignalRegistration[] _registrations;
    readonly string _notice;
    int _signals;

    /// <param name="notice">What the command does now, printed on the first signal (e.g. "stopping after this step").</param>
    public Interruption(string notice)
    {
        _notice = notice;
        _registrations = [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP }.Select(s => PosixSignalRegistration.Create(s, Handle))];
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>The first signal received, if any.</summary>
    public PosixSignal? Signal { get; private set; }

    /// <summary>128 + the signal's number (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP), as shells report a
    /// process a signal ended; 0 when no signal came.</summary>
    public int ExitCode => Signal switch
    {
        PosixSignal.SIGINT => 130,
        PosixSignal.SIGTERM => 143,
        PosixSignal.SIGHUP => 129,
        _ => 0,
    };

    /// <summary>The signal's usual name, e.g. "SIGTERM".</summary>
    public string SignalName => Signal?.ToString() ?? "none";

    void Handle(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref _signals) > 1) return;     // context.Cancel stays false: the default action ends the process
        context.Cancel = true;
        Signal = context.Signal;
        Console.Error.WriteLine($"{context.Signal}: {_notice} (send it again to stop at once)");
        _cts.Cancel();
    }

    /// <summary>Restores the default signal actions.</summary>
    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cts.Dispose();
    }
}

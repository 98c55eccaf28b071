using System.Globalization;

namespace Tandem.Training;

/// <summary>
/// Hooks for fault-injection tests, off unless their variables are set. They change no data, only timing:
/// <list type="bullet">
/// <item><c>TANDEM_FAULT_SAVE_PAUSE_MS</c>: checkpoint saves pause that many milliseconds between writing their files,
/// so a test that kills the process at random moments also lands inside saves (a real save of a tiny model lasts a
/// few milliseconds).</item>
/// <item><c>TANDEM_FAULT_HOLD_AFTER_STEP</c>: once a step at or past that number is done (and saved, where it saves),
/// training waits there until the process is killed, so a test's kill lands by that step however late the test
/// reacts (a tiny model's steps take milliseconds; a busy machine can delay the test's reading of them longer).</item>
/// </list>
/// </summary>
internal static class FaultInjection
{
    static readonly int PauseMs = Read("TANDEM_FAULT_SAVE_PAUSE_MS");
    static readonly int HoldStep = Read("TANDEM_FAULT_HOLD_AFTER_STEP");

    static int Read(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    /// <summary>Pauses inside a checkpoint save when the hook is on.</summary>
    public static void SavePause()
    {
        if (PauseMs > 0) Thread.Sleep(PauseMs);
    }

    /// <summary>Waits for the kill when the hook is on and <paramref name="step"/> has reached its step.</summary>
    public static void HoldAfter(int step)
    {
        if (HoldStep > 0 && step >= HoldStep) Thread.Sleep(Timeout.Infinite);
    }
}

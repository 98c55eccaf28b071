using System.Globalization;

namespace Tandem.Training;

/// <summary>
/// A hook for fault-injection tests, off unless <c>TANDEM_FAULT_SAVE_PAUSE_MS</c> is set: checkpoint saves pause that
/// many milliseconds between writing their files, so a test that kills the process at random moments also lands
/// inside saves (a real save of a tiny model lasts a few milliseconds). It changes no data, only timing.
/// </summary>
internal static class FaultInjection
{
    static readonly int PauseMs =
        int.TryParse(Environment.GetEnvironmentVariable("TANDEM_FAULT_SAVE_PAUSE_MS"), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : 0;

    /// <summary>Pauses inside a checkpoint save when the hook is on.</summary>
    public static void SavePause()
    {
        if (PauseMs > 0) Thread.Sleep(PauseMs);
    }
}

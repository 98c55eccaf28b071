using System.Text.Json;

namespace Tandem.Tests.TestSupport;

/// <summary>
/// The rows behind docs/RELIABILITY.md. Reliability tests record every case they try and its outcome; when
/// <c>TANDEM_RELIABILITY_LOG</c> names a file (scripts/reliability.sh sets it), each row is appended to it as one
/// JSON line, and the script renders the table from those lines. Without the variable nothing is written and the
/// tests only assert. A row is written after the case's assertions ran, so a failed case writes "failed".
/// </summary>
internal static class ReliabilityLog
{
    static readonly object Gate = new();

    /// <summary>Appends one row: <paramref name="area"/> ("bad input", "kill", "sql attack", "server"),
    /// <paramref name="caseName"/> (what was tried, as a reader would name it), <paramref name="outcome"/> (what
    /// happened, e.g. the one error line or "resumed, weights equal"), <paramref name="passed"/>.</summary>
    public static void Record(string area, string caseName, string outcome, bool passed = true)
    {
        var path = Environment.GetEnvironmentVariable("TANDEM_RELIABILITY_LOG");
        if (string.IsNullOrEmpty(path)) return;
        var line = JsonSerializer.Serialize(new { area, @case = caseName, outcome, passed });
        lock (Gate) File.AppendAllText(path, line + "\n");
    }

    /// <summary>Runs <paramref name="check"/> and records its outcome: the returned text when it passes, the
    /// assertion's first line when it throws (then rethrows).</summary>
    public static void Check(string area, string caseName, Func<string> check)
    {
        string outcome;
        try { outcome = check(); }
        catch (Exception e)
        {
            Record(area, caseName, "FAILED: " + e.Message.Split('\n')[0], passed: false);
            throw;
        }
        Record(area, caseName, outcome);
    }
}

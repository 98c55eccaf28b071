using System.Diagnostics;
using Tandem.Tests.TestSupport;

namespace Tandem.Server.Tests;

/// <summary>
/// <c>tandem serve</c> as a user starts it: the built executable, a child process on 127.0.0.1 with a free port,
/// serving <see cref="ServedModel"/>. Its memory is read from /proc; it is stopped with SIGTERM.
/// </summary>
public sealed class ServeProcess : IDisposable
{
    readonly Process _process;
    readonly List<string> _output = [];

    /// <summary>Starts the server and waits (at most a minute) for its "serving URL" line.</summary>
    public ServeProcess() : this("--candidates", "1", "--timeout-ms", "1000", "--queue", "16") { }

    /// <summary>Starts the server with <paramref name="extra"/> options.</summary>
    internal ServeProcess(params string[] extra)
    {
        var start = new ProcessStartInfo(CliRunner.Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["serve", "--model", ServedModel.Model, "--db", ServedModel.Database, "--port", "0", .. extra]) start.ArgumentList.Add(a);
        _process = Process.Start(start)!;
        var address = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) { address.TrySetException(new InvalidOperationException("tandem serve ended:\n" + Output)); return; }
            lock (_output) _output.Add(e.Data);
            if (e.Data.StartsWith("serving ", StringComparison.Ordinal)) address.TrySetResult(new Uri(e.Data.Split(' ')[1]));
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.Add(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (!address.Task.Wait(TimeSpan.FromMinutes(1))) { Dispose(); throw new TimeoutException("tandem serve did not start:\n" + Output); }
        Address = address.Task.Result;
    }

    /// <summary>Runs <c>tandem serve</c> with <paramref name="args"/> to its end (for options it refuses at once), without
    /// the embedded-model cache CliRunner prepares.</summary>
    internal static CliRunner.Result RunToEnd(params string[] args)
    {
        var start = new ProcessStartInfo(CliRunner.Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["serve", .. args]) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(1))) { p.Kill(); throw new TimeoutException("tandem serve " + string.Join(' ', args)); }
        return new CliRunner.Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Where it listens.</summary>
    public Uri Address { get; }

    /// <summary>Its process id.</summary>
    public int Pid => _process.Id;

    /// <summary>What it printed so far (standard output and error).</summary>
    public string Output { get { lock (_output) return string.Join('\n', _output); } }

    /// <summary>Its resident memory in bytes (VmRSS).</summary>
    public long ResidentBytes() => Status("VmRSS:");

    /// <summary>Its open file descriptors (sockets included).</summary>
    public int OpenFiles() => Directory.GetFiles($"/proc/{Pid}/fd").Length;

    long Status(string key)
    {
        var line = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith(key, StringComparison.Ordinal));
        return long.Parse(line[key.Length..].Trim().Split(' ')[0]) * 1024;
    }

    /// <summary>Sends SIGTERM and waits (at most 30 s) for the exit code.</summary>
    public int Stop()
    {
        using (var kill = Process.Start("kill", ["-TERM", Pid.ToString()])) kill.WaitForExit();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(30))) throw new TimeoutException("tandem serve did not stop on SIGTERM:\n" + Output);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Stops the server if it still runs.</summary>
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            try { Stop(); }
            catch (TimeoutException) { _process.Kill(); }
        }
        _process.Dispose();
    }
}

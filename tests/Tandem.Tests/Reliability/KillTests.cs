using System.Diagnostics;
using System.Text.Json.Nodes;
using Tandem.Modeling;
using Tandem.Tests.TestSupport;
using Tandem.Tests.Training;
using Tandem.Training;

namespace Tandem.Tests.Reliability;

/// <summary>
/// Fault injection with real kills: <c>tandem train</c> on a tiny model is SIGKILLed at random moments, some of
/// them inside checkpoint saves, and resumed each time. After every kill the newest checkpoint loads; in the end the
/// weights equal an uninterrupted run's, and every checkpoint is a folder <c>evaluate</c>, <c>generate</c> and
/// <c>ask</c> accept as it is. Signals and a full disk end a run cleanly.
/// </summary>
[Trait("Category", "Reliability")]
[Collection(SequentialCollection.Name)]
public class KillTests
{
    const int Kills = 20;

    /// <summary>Checkpoints every this many steps (the saves the kills aim at).</summary>
    const int SaveEvery = 3;

    /// <summary>The run's length: the kills aim at steps 1-53, and each killed run is held a few steps past its aim
    /// (<c>TANDEM_FAULT_HOLD_AFTER_STEP</c>), so no run before the last kill reaches step 80.</summary>
    const int MaxSteps = 80;

    static readonly string[] Settings =
    [
        $"schedule.max_steps={MaxSteps}", "schedule.warmup_steps=3", "evaluation.every_steps=20", "evaluation.max_examples=8",
        $"output.save_every_steps={SaveEvery}", "output.keep_last=2", "output.keep_best=1", "batching.max_tokens=300", "output.log_every_steps=1",
    ];

    static string WriteConfig(string dir, string run, params string[] extra)
    {
        var path = Path.Combine(dir, run + ".json");
        File.WriteAllText(path, TrainConfigLoader.ToJson(TinyTask.Config(dir, run, [.. Settings, .. extra])));
        return path;
    }

    /// <summary>A running <c>tandem train</c> and the last step it reported on stdout ("step N/total ...").</summary>
    sealed class Run(Process process) : IDisposable
    {
        int _step;
        public Process Process { get; } = process;
        public int Step => Volatile.Read(ref _step);
        public void OnLine(string? line)
        {
            if (line is not null && line.StartsWith("step ", StringComparison.Ordinal) && int.TryParse(line[5..].Split('/')[0], out var n))
                Volatile.Write(ref _step, n);
        }
        public void Dispose() => Process.Dispose();
    }

    /// <summary>Starts <c>tandem train --resume</c> that reports its steps to a <see cref="Run"/> and waits for the
    /// kill once step <paramref name="holdAfter"/> is done; <paramref name="pauseInSaves"/> stretches its saves.</summary>
    static Run StartRun(string configPath, bool pauseInSaves, int holdAfter)
    {
        Run? run = null;
        var faults = new Dictionary<string, string> { ["TANDEM_FAULT_HOLD_AFTER_STEP"] = holdAfter.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (pauseInSaves) faults["TANDEM_FAULT_SAVE_PAUSE_MS"] = "120";
        var p = Start(configPath, faults, line => run?.OnLine(line));
        run = new Run(p);
        return run;
    }

    static Process Start(string configPath, Dictionary<string, string>? faults = null, Action<string?>? onLine = null)
    {
        // through env --default-signal: a test run started in the background by a script (`cmd &`) inherits SIGINT
        // ignored, an ignored signal stays ignored across exec, and tandem would never see the test's SIGINT
        var start = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["--default-signal=INT", CliRunner.Executable, "train", "--config", configPath, "--resume"]) start.ArgumentList.Add(a);
        start.Environment["TANDEM_CACHE"] = MiniLm.Cache;
        foreach (var (name, value) in faults ?? []) start.Environment[name] = value;
        var p = Process.Start(start)!;
        p.OutputDataReceived += (_, e) => onLine?.Invoke(e.Data);
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>The temporary folders of saves in <paramref name="store"/> and when each was last written.</summary>
    static Dictionary<string, DateTime> SaveFolders(CheckpointStore store) =>
        Directory.Exists(store.Root) ? Directory.EnumerateDirectories(store.Root, ".tmp-*").ToDictionary(d => d, Directory.GetLastWriteTimeUtc) : [];

    /// <summary>Whether a save is under way that is not one of <paramref name="leftovers"/> (a killed save's folder
    /// stays until the next save removes it).</summary>
    static bool Saving(CheckpointStore store, Dictionary<string, DateTime> leftovers) =>
        SaveFolders(store).Any(f => !leftovers.TryGetValue(f.Key, out var then) || f.Value > then);

    static int LatestStep(CheckpointStore store) => store.List() is { Count: > 0 } l ? l[^1].Step : 0;

    static Dictionary<string, float[]> Weights(string checkpoint)
    {
        using var model = Seq2SeqModels.FromPretrained(checkpoint);
        return model.Module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.data<float>().ToArray());
    }

    static readonly string[] ModelFiles = ["config.json", "model.safetensors", "generation_config.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"];

    [Fact]
    public void KilledAtRandomMomentsAndResumedTheRunEndsWithAnUninterruptedRunsWeights()
    {
        using var tmp = Paths.TempDir();
        TinyTask.Write(tmp.Path, trainCount: 200, devCount: 8, hidden: 32, dropout: 0.1);
        var straight = Trainer.Run(TinyTask.Config(tmp.Path, "straight", Settings));
        var config = WriteConfig(tmp.Path, "killed");
        var store = new CheckpointStore(Path.Combine(tmp.Path, "killed"));
        var rng = new Random(2026);
        // each kill aims at a step drawn at random over the run (sorted, so the run moves on between kills), then
        // lands a random moment later: anywhere in a step, or (every other kill) inside the next checkpoint save
        var targets = Enumerable.Range(0, Kills).Select(_ => rng.Next(1, 54)).Order().ToArray();
        int kills = 0, inSave = 0, attempts = 0;
        while (kills < Kills)
        {
            Assert.True(++attempts < 3 * Kills, $"only {kills} kills landed in {attempts} attempts");
            bool aimAtSave = kills % 2 == 1;
            // the run resumes after its newest checkpoint, which may already be past this target; the run is held
            // (it waits for the kill) two steps past its aim, or once the aimed-at save is written: however late
            // this process sees the run's steps, no kill lands far past its aim and the run never ends early
            int aim = Math.Max(targets[kills], LatestStep(store) + 1);
            int hold = aimAtSave ? (aim + SaveEvery - 1) / SaveEvery * SaveEvery : aim + 2;
            var leftovers = SaveFolders(store);
            using var run = StartRun(config, pauseInSaves: aimAtSave, hold);
            var p = run.Process;
            var clock = Stopwatch.StartNew();
            while (!p.HasExited && clock.Elapsed < TimeSpan.FromSeconds(90) && run.Step < aim) Thread.Sleep(2);
            bool landedInSave = false;
            if (aimAtSave)
            {
                while (!p.HasExited && clock.Elapsed < TimeSpan.FromSeconds(90) && !Saving(store, leftovers) && LatestStep(store) < hold) Thread.Sleep(2);
                Thread.Sleep(rng.Next(0, 330));                          // the save pauses 3 x 120 ms between its files
                landedInSave = Saving(store, leftovers);
            }
            else
                Thread.Sleep(rng.Next(0, 150));                          // a random moment: within a step, between steps, or held
            if (p.HasExited)
            {
                Assert.Equal(0, p.ExitCode);
                break;                                                   // the run finished before this kill
            }
            p.Kill();                                                    // SIGKILL
            p.WaitForExit();
            kills++;
            if (landedInSave) inSave++;
            var latest = store.Latest();
            var step = latest is null ? "none" : Path.GetFileName(latest);
            ReliabilityLog.Check("kill", $"SIGKILL {kills:D2}{(aimAtSave ? " during a checkpoint save" : " at a random moment")}", () =>
            {
                if (latest is null) return "killed before the first checkpoint; nothing to load";
                foreach (var f in ModelFiles) Assert.True(File.Exists(Path.Combine(latest, f)), $"{latest}: no {f}");
                Assert.NotEmpty(Weights(latest));
                return $"aimed after step {aim}; {(landedInSave ? "inside a save; " : "")}newest checkpoint {step} loads";
            });
        }
        Assert.True(kills >= Kills, $"the run ended after {kills} kills; give it more steps");
        Assert.True(inSave >= 3, $"only {inSave} kills landed inside a save");

        using (var finish = Start(config))
        {
            Assert.True(finish.WaitForExit(TimeSpan.FromMinutes(3)));
            finish.WaitForExit();
            Assert.Equal(0, finish.ExitCode);
        }
        var final = store.Latest()!;
        Assert.EndsWith($"step-{MaxSteps:D7}", final);
        ReliabilityLog.Check("kill", $"resume after {kills} kills ({inSave} inside saves)", () =>
        {
            var expected = Weights(straight.LastCheckpoint!);
            var actual = Weights(final);
            Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
            double worst = 0;
            foreach (var (k, v) in expected)
                for (int i = 0; i < v.Length; i++) worst = Math.Max(worst, Math.Abs(v[i] - actual[k][i]));
            Assert.True(worst <= 1e-6, $"largest weight difference {worst:G3}");
            return $"step {MaxSteps} reached; weights equal the uninterrupted run's (largest difference {worst:G3})";
        });
        Assert.Empty(Directory.EnumerateDirectories(store.Root, ".*"));

        foreach (var (_, dir) in store.List())
            ReliabilityLog.Check("kill", $"checkpoint {Path.GetFileName(dir)} of the resumed run in evaluate, generate, ask", () =>
            {
                foreach (var f in ModelFiles) Assert.True(File.Exists(Path.Combine(dir, f)), $"{dir}: no {f}");
                var e = CliRunner.Run("evaluate", "--model", dir, "--data", Path.Combine(tmp.Path, "dev.jsonl"), "--num-beams", "2");
                Assert.True(e.ExitCode == 0, e.Stderr);
                var g = CliRunner.Run("generate", "--model", dir, "a b c");
                Assert.True(g.ExitCode == 0, g.Stderr);
                var db = Paths.Shared("data", "text2sql-data", "derived", "geography-v4.sqlite");
                var a = CliRunner.Run("ask", "--model", dir, "--db", db, "--json", "a b c");
                Assert.NotNull(JsonNode.Parse(a.StdoutLines.Single())!["sql"]);     // loaded and generated; the SQL itself is letters
                Assert.DoesNotContain("   at ", a.Stderr);
                return "accepted by all three";
            });
    }

    [Theory]
    [InlineData("SIGTERM", 143)]
    [InlineData("SIGINT", 130)]
    public void ASignalEndsTrainingAfterTheStepWithACheckpointAndTheShellsExitCode(string signal, int exitCode)
    {
        using var tmp = Paths.TempDir();
        TinyTask.Write(tmp.Path, trainCount: 200, devCount: 8, hidden: 32);
        var config = WriteConfig(tmp.Path, "run", "schedule.max_steps=100000", "output.save_every_steps=1000");
        using var p = Start(config);
        var metrics = Path.Combine(tmp.Path, "run", MetricsLog.FileName);
        var clock = Stopwatch.StartNew();
        while (!p.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60) && !(File.Exists(metrics) && File.ReadAllLines(metrics).Length >= 3))
            Thread.Sleep(20);
        Assert.False(p.HasExited);
        using (var kill = Process.Start("kill", ["-s", signal[3..], p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
        ReliabilityLog.Check("kill", $"{signal} during training", () =>
        {
            Assert.True(p.WaitForExit(TimeSpan.FromSeconds(60)), "still running 60 s after the signal");
            Assert.Equal(exitCode, p.ExitCode);
            var latest = new CheckpointStore(Path.Combine(tmp.Path, "run")).Latest();
            Assert.NotNull(latest);
            Assert.NotEmpty(Weights(latest));
            return $"exit {p.ExitCode}; checkpoint {Path.GetFileName(latest)} written and loads";
        });
    }

    [Fact]
    public void TheHoldHookStopsTrainingAfterItsStepUntilKilled()
    {
        // what the kill test relies on to keep its kills near their aims on any machine
        using var tmp = Paths.TempDir();
        TinyTask.Write(tmp.Path, trainCount: 200, devCount: 8, hidden: 32);
        var config = WriteConfig(tmp.Path, "run", "schedule.max_steps=100000", "output.save_every_steps=1000");
        using var p = Start(config, new() { ["TANDEM_FAULT_HOLD_AFTER_STEP"] = "4" });
        var runDir = Path.Combine(tmp.Path, "run");
        int[] Steps() => File.Exists(Path.Combine(runDir, MetricsLog.FileName))
            ? [.. MetricsLog.Read(runDir).Select(r => r["step"]!.GetValue<int>())]                  // skips a line caught half-written
            : [];
        var clock = Stopwatch.StartNew();
        while (!p.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60) && !Steps().Contains(4)) Thread.Sleep(20);
        Thread.Sleep(1500);
        Assert.False(p.HasExited);
        Assert.Equal(4, Steps().Max());
        p.Kill();
        p.WaitForExit();
    }

    [Fact]
    public void TheCommandThatWasStartedIsTheProcessThatTrains()
    {
        // tandem re-executes itself (tcmalloc, hugetlb) in place: the pid the caller holds is the one that trains
        using var tmp = Paths.TempDir();
        TinyTask.Write(tmp.Path, trainCount: 200, devCount: 8, hidden: 32);
        var config = WriteConfig(tmp.Path, "run", "schedule.max_steps=100000");
        var start = new ProcessStartInfo(CliRunner.Executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["train", "--config", config]) start.ArgumentList.Add(a);
        start.Environment.Remove("LD_PRELOAD");
        start.Environment.Remove("GLIBC_TUNABLES");
        start.Environment.Remove("TANDEM_REEXEC");
        using var p = Process.Start(start)!;
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var metrics = Path.Combine(tmp.Path, "run", MetricsLog.FileName);
        var clock = Stopwatch.StartNew();
        while (!p.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60) && !File.Exists(metrics)) Thread.Sleep(20);
        ReliabilityLog.Check("kill", "SIGKILL to the pid the caller started", () =>
        {
            Assert.False(p.HasExited);
            var environ = File.ReadAllText($"/proc/{p.Id}/environ");
            Assert.Contains("TANDEM_REEXEC=1", environ);                 // this pid is the re-executed program
            p.Kill();
            Assert.True(p.WaitForExit(TimeSpan.FromSeconds(10)));
            int lines = File.ReadAllLines(metrics).Length;
            Thread.Sleep(1500);
            Assert.Equal(lines, File.ReadAllLines(metrics).Length);      // nothing goes on training behind it
            return "one process: it trained, and after SIGKILL nothing wrote to the run";
        });
    }

    [Fact]
    public void ARealFullDiskThroughTheCliKeepsThePreviousCheckpoint()
    {
        // a small tmpfs holds the run: the first checkpoint fits, a later save runs out of space
        if (Environment.UserName != "root") { ReliabilityLog.Record("kill", "disk full on a real tmpfs", "not run: mounting a tmpfs needs root"); return; }
        using var tmp = Paths.TempDir();
        TinyTask.Write(tmp.Path, trainCount: 200, devCount: 8, hidden: 32);
        var probe = Trainer.Run(TinyTask.Config(tmp.Path, "probe", [.. Settings, "schedule.max_steps=3", "evaluation.every_steps=0", "output.plots=false"]));
        long checkpoint = Directory.EnumerateFiles(probe.LastCheckpoint!, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        var mount = tmp["disk"];
        Directory.CreateDirectory(mount);
        long size = checkpoint * 5 / 2 + 256 * 1024;                     // two checkpoints and the run's small files, not three
        Assert.Equal(0, Sh($"mount -t tmpfs -o size={size} tmpfs '{mount}'"));
        try
        {
            var config = Path.Combine(tmp.Path, "full.json");
            var cfg = TinyTask.Config(tmp.Path, "full", [.. Settings, "output.keep_last=5", "output.keep_best=0", "evaluation.every_steps=0"]);
            cfg.Output.Dir = Path.Combine(mount, "run");
            File.WriteAllText(config, TrainConfigLoader.ToJson(cfg));
            var r = CliRunner.Run("train", "--config", config);
            ReliabilityLog.Check("kill", "disk full on a real tmpfs during tandem train", () =>
            {
                CliRunner.AssertOneLineError(r, "not written (no space left on device)", "the last complete checkpoint is");
                var store = new CheckpointStore(cfg.Output.Dir);
                Assert.NotNull(store.Latest());
                Assert.NotEmpty(Weights(store.Latest()!));
                Assert.Empty(Directory.EnumerateDirectories(store.Root, ".tmp-*"));
                return r.StderrLines.Last(l => l.StartsWith("error:", StringComparison.Ordinal)).Replace(mount, "TMPFS", StringComparison.Ordinal) + $"; exit {r.ExitCode}";
            });
        }
        finally { Sh($"umount '{mount}'"); }
    }

    static int Sh(string command)
    {
        using var p = Process.Start(new ProcessStartInfo("sh", ["-c", command]) { RedirectStandardError = true })!;
        p.WaitForExit();
        return p.ExitCode;
    }

    [Fact]
    public void AFullDiskDuringASaveKeepsThePreviousCheckpointAndSaysSo()
    {
        using var tmp = Paths.TempDir();
        TinyTask.Write(tmp.Path, trainCount: 200, devCount: 8, hidden: 32);
        int saves = 0;
        var ex = Assert.Throws<TandemException>(() => Trainer.Run(TinyTask.Config(tmp.Path, "run", Settings), new TrainOptions
        {
            BeforeCheckpointCommit = dir =>
            {
                if (++saves == 3) throw new IOException("No space left on device : '" + dir + "/model.safetensors'", 28);
            },
        }));
        ReliabilityLog.Check("kill", "disk full (ENOSPC) during a checkpoint save", () =>
        {
            var store = new CheckpointStore(Path.Combine(tmp.Path, "run"));
            Assert.Equal($"checkpoint step-0000009 not written (no space left on device); the last complete checkpoint is {store.Latest()}", ex.Message);
            Assert.EndsWith("step-0000006", store.Latest());
            Assert.NotEmpty(Weights(store.Latest()!));
            Assert.Empty(Directory.EnumerateDirectories(store.Root, ".tmp-*"));
            return ex.Message.Replace(tmp.Path, "RUN", StringComparison.Ordinal);
        });
    }
}

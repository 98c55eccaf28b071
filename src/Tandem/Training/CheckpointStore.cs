using System.Globalization;
using TorchSharp;
using Tandem.Evaluation;

namespace Tandem.Training;

/// <summary>
/// The checkpoints of a run, <c>RUN/checkpoints/step-NNNNNNN/</c>: a transformers-compatible model folder plus
/// <c>optimizer.bin</c> and <c>trainer_state.json</c>. A checkpoint is written into a hidden temporary folder and
/// renamed into place only when complete, so a crash at any moment leaves every earlier checkpoint whole;
/// leftovers of an interrupted save are removed on the next save.
/// </summary>
internal sealed class CheckpointStore(string runDir)
{
    public const string OptimizerFile = "optimizer.bin";
    const string Prefix = "step-";

    public string Root { get; } = Path.Combine(runDir, "checkpoints");

    /// <summary>Test hook: called with the temporary folder just before it is renamed into place.</summary>
    internal Action<string>? BeforeCommit { get; set; }

    /// <summary>
    /// The run's own copy of its tokenizer, <c>RUN/tokenizer/</c>, written once when the run starts (atomically)
    /// from <paramref name="source"/> and kept as it is when the run resumes. Every checkpoint copies its tokenizer
    /// from there: the folder a run resumed from is a checkpoint that rotation may delete before the next save.
    /// </summary>
    public string? RunTokenizer(string? source)
    {
        var dir = Path.Combine(runDir, "tokenizer");
        if (Directory.Exists(dir)) return dir;
        if (source is null) return null;
        var tmp = Path.Combine(runDir, ".tmp-tokenizer");
        if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        Checkpoints.ModelFolder.WriteTokenizer(tmp, source);
        AtomicFile.FlushFolder(tmp);
        Directory.Move(tmp, dir);
        return dir;
    }

    /// <summary>Complete checkpoints, oldest first.</summary>
    public List<(int Step, string Dir)> List()
    {
        if (!Directory.Exists(Root)) return [];
        return Directory.EnumerateDirectories(Root, Prefix + "*")
            .Select(d => (Ok: int.TryParse(Path.GetFileName(d)[Prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var s), Step: s, Dir: d))
            .Where(x => x.Ok && File.Exists(Path.Combine(x.Dir, TrainerState.FileName)))
            .OrderBy(x => x.Step).Select(x => (x.Step, x.Dir)).ToList();
    }

    /// <summary>The newest complete checkpoint, or null.</summary>
    public string? Latest() => List() is { Count: > 0 } l ? l[^1].Dir : null;

    /// <summary>Writes a checkpoint: the model folder (<paramref name="saveModel"/> writes it), the optimizer and the
    /// state; <paramref name="extra"/> writes further files into the (temporary) folder before it is complete.</summary>
    public string Save(Action<string> saveModel, torch.optim.Optimizer optimizer, TrainerState state, Action<string>? extra = null)
    {
        Directory.CreateDirectory(Root);
        foreach (var stale in Directory.EnumerateDirectories(Root, ".tmp-*").Concat(Directory.EnumerateDirectories(Root, ".trash-*")))
            Directory.Delete(stale, recursive: true);
        var name = Prefix + state.Step.ToString("D7", CultureInfo.InvariantCulture);
        var tmp = Path.Combine(Root, ".tmp-" + name);
        var final = Path.Combine(Root, name);
        try
        {
            saveModel(tmp);
            FaultInjection.SavePause();
            using (var stream = File.Create(Path.Combine(tmp, OptimizerFile)))
            using (var writer = new BinaryWriter(stream))
            {
                MakeStateContiguous(optimizer);
                ((TorchSharp.Modules.OptimizerHelper)optimizer).save_state_dict(writer);
            }
            FaultInjection.SavePause();
            extra?.Invoke(tmp);
            state.Save(tmp);                           // last: its presence marks a complete checkpoint
            AtomicFile.FlushFolder(tmp);
            BeforeCommit?.Invoke(tmp);
            FaultInjection.SavePause();
            if (Directory.Exists(final)) Remove(final);
            Directory.Move(tmp, final);
        }
        catch (IOException e)
        {
            try { if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true); }  // frees the space it took
            catch (IOException) { }                                                       // the next save removes it
            var reason = IsDiskFull(e) ? "no space left on device" : e.Message;
            throw new TandemException($"checkpoint {name} not written ({reason}); the last complete checkpoint is {Latest() ?? "none"}", e);
        }
        return final;
    }

    static bool IsDiskFull(IOException e) =>
        (e.HResult & 0xFFFF) == 28 || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase)
        || e.InnerException is IOException inner && IsDiskFull(inner);

    public static void LoadOptimizer(string dir, torch.optim.Optimizer optimizer)
    {
        var path = Path.Combine(dir, OptimizerFile);
        if (!File.Exists(path)) throw new TandemException($"{path}: missing optimizer state; cannot resume exactly");
        using var reader = new BinaryReader(File.OpenRead(path));
        MakeStateContiguous(optimizer);
        ((TorchSharp.Modules.OptimizerHelper)optimizer).load_state_dict(reader);
    }

    /// <summary>TorchSharp reads and writes optimizer state only from contiguous tensors, but it creates the moments
    /// with the layout of their parameters, and <see cref="Modeling.Linear"/> weights are column-major. Replaces
    /// every non-contiguous state tensor by a contiguous copy (same values; the update math does not care).</summary>
    static void MakeStateContiguous(torch.optim.Optimizer optimizer)
    {
        foreach (var state in ((TorchSharp.Modules.OptimizerHelper)optimizer).state_dict().State)
            foreach (var field in state.GetType().GetFields().Where(f => f.FieldType == typeof(torch.Tensor)))
                if (field.GetValue(state) is torch.Tensor t && !t.IsInvalid && !t.is_contiguous())
                {
                    field.SetValue(state, t.contiguous().DetachFromDisposeScope());
                    t.Dispose();
                }
    }

    /// <summary>Keeps the <paramref name="keepLast"/> newest checkpoints and the <paramref name="keepBest"/> best
    /// by <paramref name="metric"/>; deletes the rest (renamed aside first, so none is ever seen half-deleted).</summary>
    public void Rotate(int keepLast, int keepBest, string metric)
    {
        var all = List();
        var keep = new HashSet<string>(all.TakeLast(keepLast).Select(c => c.Dir));
        keep.UnionWith(Ranked(all, metric).Take(keepBest));
        foreach (var (_, dir) in all)
            if (!keep.Contains(dir)) Remove(dir);
    }

    /// <summary>The best checkpoint by <paramref name="metric"/>, or null.</summary>
    public string? Best(string metric) => Ranked(List(), metric).FirstOrDefault();

    /// <summary>The checkpoints that recorded <paramref name="metric"/>, best first (ties: the older first).</summary>
    static IEnumerable<string> Ranked(List<(int Step, string Dir)> checkpoints, string metric)
    {
        var scored = checkpoints.Select(c => (c.Dir, Value: TrainerState.Load(c.Dir).Metrics?.GetValueOrDefault(metric, double.NaN) ?? double.NaN))
            .Where(c => !double.IsNaN(c.Value));
        var ordered = EvaluationResult.HigherIsBetter(metric) ? scored.OrderByDescending(c => c.Value) : scored.OrderBy(c => c.Value);
        return ordered.Select(c => c.Dir);
    }

    void Remove(string dir)
    {
        var trash = Path.Combine(Root, ".trash-" + Path.GetFileName(dir) + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.Move(dir, trash);
        Directory.Delete(trash, recursive: true);
    }
}

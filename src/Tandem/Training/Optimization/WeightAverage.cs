using TorchSharp;
using TorchSharp.Modules;
using Tandem.Checkpoints;
using static TorchSharp.torch;

namespace Tandem.Training.Optimization;

/// <summary>
/// An exponential moving average of the trainable weights (<c>optimizer.ema_decay</c>): after every optimizer step
/// <c>avg ← d·avg + (1 − d)·w</c>, with <c>d = min(decay, (1 + step) / (10 + step))</c> so the first steps do not
/// drag the average back to the starting point. On a small data set, where the weights keep moving around a good
/// region long after the loss is near zero, the average generalises better than any single step and makes the
/// last checkpoint about as good as the best. Evaluation and checkpoints use the average; training continues from
/// the raw weights, which each checkpoint keeps in <see cref="RawWeightsFile"/> for an exact resume.
/// </summary>
internal sealed class WeightAverage : IDisposable
{
    /// <summary>The file in a checkpoint folder with the raw (not averaged) weights, by parameter name.</summary>
    public const string RawWeightsFile = "raw_weights.safetensors";

    readonly List<(string Name, Parameter Weight, Tensor Average)> _pairs = [];
    readonly double _decay;

    bool _applied;

    /// <summary>Starts the average at the current weights of <paramref name="trainable"/>.</summary>
    public WeightAverage(IEnumerable<(string Name, Parameter Parameter)> trainable, double decay)
    {
        _decay = decay;
        using var _ = no_grad();
        foreach (var (name, p) in trainable) _pairs.Add((name, p, p.detach().clone().DetachFromDisposeScope()));
    }

    /// <summary>Folds the weights after optimizer step <paramref name="step"/> (1 for the first) into the average.</summary>
    public void Update(int step)
    {
        double d = Math.Min(_decay, (1.0 + step) / (10.0 + step));
        using var _ = no_grad();
        foreach (var (_, w, avg) in _pairs) avg.lerp_(w, 1 - d);
    }

    /// <summary>Puts the averaged weights into the model until the returned scope is disposed, which puts the raw
    /// weights back.</summary>
    public IDisposable Apply()
    {
        Swap();
        return new SwapBack(this);
    }

    /// <summary>Writes the raw weights into <see cref="RawWeightsFile"/> in <paramref name="dir"/>.</summary>
    public void SaveRaw(string dir)
    {
        using var scope = NewDisposeScope();
        SafeTensors.Save(Path.Combine(dir, RawWeightsFile),
            _pairs.Select(p => new KeyValuePair<string, Tensor>(p.Name, (_applied ? p.Average : p.Weight.detach()).contiguous())));
    }

    /// <summary>On resume, with the average started from a checkpoint's (averaged) model weights: reads the raw
    /// weights of <paramref name="dir"/> back into the model.</summary>
    public void LoadRaw(string dir)
    {
        var path = Path.Combine(dir, RawWeightsFile);
        if (!File.Exists(path)) throw new TandemException($"{path}: missing raw weights; this checkpoint was saved without optimizer.ema_decay");
        var raw = SafeTensors.Load(path);
        try
        {
            using var _ = no_grad();
            foreach (var (name, w, avg) in _pairs)
            {
                if (!raw.TryGetValue(name, out var t)) throw new TandemException($"{path}: no tensor '{name}'");
                (_applied ? avg : w).copy_(t);
            }
        }
        finally { foreach (var t in raw.Values) t.Dispose(); }
    }

    void Swap()
    {
        using var _ = no_grad();
        foreach (var (_, w, avg) in _pairs)
        {
            using var tmp = w.detach().clone();
            w.copy_(avg);
            avg.copy_(tmp);
        }
        _applied = !_applied;
    }

    /// <summary>Frees the averages.</summary>
    public void Dispose()
    {
        foreach (var (_, _, avg) in _pairs) avg.Dispose();
        _pairs.Clear();
    }

    sealed class SwapBack(WeightAverage owner) : IDisposable
    {
        bool _done;
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            owner.Swap();
        }
    }
}

using TorchSharp;
using TorchSharp.Modules;
using Tandem.Modeling;

namespace Tandem.Training.Optimization;

/// <summary>AdamW over the trainable parameters in up to four groups: with or without weight decay (none on biases
/// and LayerNorm weights) × base or new-weights learning rate. Each group remembers its peak rate.</summary>
internal sealed class OptimizerSetup : IDisposable
{
    public required FusedAdamW Optimizer { get; init; }
    public required List<(AdamW.ParamGroup Group, double PeakLr)> Groups { get; init; }
    /// <summary>The trainable parameters with one name each (the first the model gives a shared one).</summary>
    public required List<(string Name, Parameter Parameter)> NamedTrainable { get; init; }

    public static OptimizerSetup Create(torch.nn.Module module, OptimizerSection o, IReadOnlySet<string> newKeys)
    {
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        var names = new Dictionary<Parameter, List<string>>(ReferenceEqualityComparer.Instance);
        var order = new List<Parameter>();
        foreach (var (name, p) in module.named_parameters())
        {
            if (seen.Add(p)) { order.Add(p); names[p] = []; }
            names[p].Add(name);
        }
        var buckets = new Dictionary<(bool Decay, bool New), List<Parameter>>();
        var trainable = new List<Parameter>();
        var named = new List<(string, Parameter)>();
        foreach (var p in order)
        {
            var n = names[p];
            if (o.FreezeEncoder && n.All(k => k.StartsWith("encoder.", StringComparison.Ordinal)))
            {
                p.requires_grad = false;
                continue;
            }
            bool decay = !n.Any(k => k.EndsWith(".bias", StringComparison.Ordinal) || k.Contains("LayerNorm", StringComparison.Ordinal));
            bool isNew = o.NewWeightsLr is not null && n.Any(k => newKeys.Contains(k) || k.Contains("crossattention", StringComparison.Ordinal));
            var key = (decay, isNew);
            if (!buckets.TryGetValue(key, out var list)) buckets[key] = list = [];
            list.Add(p);
            trainable.Add(p);
            named.Add((n[0], p));
        }
        if (trainable.Count == 0) throw new TandemException("optimizer: no trainable parameters (is everything frozen?)");
        var groups = new List<(AdamW.ParamGroup, double)>();
        foreach (var ((decay, isNew), ps) in buckets.OrderBy(b => b.Key.Decay).ThenBy(b => b.Key.New))
        {
            double lr = isNew ? o.NewWeightsLr!.Value : o.Lr;
            groups.Add((new AdamW.ParamGroup(ps, lr, o.Beta1, o.Beta2, o.Eps, decay ? o.WeightDecay : 0.0, false, false), lr));
        }
        var optimizer = new FusedAdamW(groups.Select(g => g.Item1), o.Lr, o.Beta1, o.Beta2, o.Eps, o.WeightDecay);
        return new OptimizerSetup { Optimizer = optimizer, Groups = groups, NamedTrainable = named };
    }

    /// <summary>Sets every group's rate to its peak × <paramref name="factor"/>.</summary>
    public void SetFactor(double factor)
    {
        foreach (var (g, peak) in Groups) g.LearningRate = peak * factor;
    }

    public void Dispose() => Optimizer.Dispose();
}

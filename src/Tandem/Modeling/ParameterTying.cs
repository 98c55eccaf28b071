using System.Reflection;
using TorchSharp;
using TorchSharp.Modules;

namespace Tandem.Modeling;

/// <summary>Makes two modules share parameters: the target's parameter object is replaced by the source's, so an
/// update through either is seen by both and a save writes the tensor once.</summary>
internal static class ParameterTying
{
    /// <summary>For every parameter of <paramref name="source"/> whose name also exists in <paramref name="target"/>
    /// with the same shape, makes <paramref name="target"/> use the source's parameter. Returns every shared name (also those
    /// already shared).</summary>
    public static List<string> TieCommon(torch.nn.Module source, torch.nn.Module target)
    {
        var targetParams = target.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var tied = new List<string>();
        foreach (var (name, p) in source.named_parameters())
        {
            if (!targetParams.TryGetValue(name, out var t) || !t.shape.SequenceEqual(p.shape)) continue;
            if (!ReferenceEquals(t, p)) Set(target, name, p);
            tied.Add(name);
        }
        return tied;
    }

    /// <summary>Replaces the parameter at dotted path <paramref name="name"/> below <paramref name="root"/>.</summary>
    public static void Set(torch.nn.Module root, string name, Parameter value)
    {
        var parts = name.Split('.');
        var module = root;
        foreach (var part in parts[..^1])
            module = module.named_children().First(c => c.name == part).module;
        var leaf = parts[^1];
        var type = module.GetType();
        const BindingFlags flags = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        if (type.GetProperty(leaf, flags) is { CanWrite: true } prop && prop.PropertyType.IsAssignableFrom(typeof(Parameter)))
        {
            prop.SetValue(module, value);
            return;
        }
        throw new InvalidOperationException($"cannot replace parameter '{name}': {type.Name}.{leaf} has no settable Parameter property");
    }
}

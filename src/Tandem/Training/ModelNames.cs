using Tandem.Pretrained;

namespace Tandem.Training;

/// <summary>Turns a model spec from a config into something the loaders take: a folder, or <c>random:PATH</c>.</summary>
public static class ModelNames
{
    /// <summary>The folder (or <c>random:</c> spec) a config's model spec stands for: folders and <c>random:</c> specs
    /// as they are, embedded names such as <c>minilm</c> through <see cref="EmbeddedModels.Resolve"/>.</summary>
    public static string Resolve(string spec) =>
        spec.StartsWith("random:", StringComparison.Ordinal) ? spec : EmbeddedModels.Resolve(spec);
}

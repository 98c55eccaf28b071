namespace Tandem.Training;

/// <summary>Turns a model spec from a config into something the loaders take: a folder, or <c>random:PATH</c>.</summary>
public static class ModelNames
{
    /// <summary>The folder (or <c>random:</c> spec) a config's model spec stands for. Folders and <c>random:</c>
    /// specs are returned as they are; a bare name goes through <see cref="ResolveName"/>.</summary>
    public static string Resolve(string spec)
    {
        if (spec.StartsWith("random:", StringComparison.Ordinal) || Directory.Exists(spec)) return spec;
        return ResolveName(spec)
            ?? throw new TandemException($"model '{spec}': no such folder, and not a model name Tandem knows (give a Hugging Face model folder or random:<config.json>)");
    }

    /// <summary>THE hook for built-in model names such as "minilm": returns the folder of the named model, or null.
    /// To be wired to <c>Tandem.Pretrained.EmbeddedModels.Resolve(name)</c> once that lands.</summary>
    public static Func<string, string?> ResolveName { get; set; } = _ => null;
}

using Tandem.Checkpoints;
using Tandem.Modeling;

namespace Tandem.Models;

/// <summary>
/// Masked language models of any registered family that has one (<see cref="ModelFamily.MaskedLM"/>), chosen by
/// <c>model_type</c>: built from a config (pre-training from scratch), continued from a folder, or loaded strictly.
/// </summary>
public static class MaskedLanguageModels
{
    /// <summary>The family of <paramref name="config"/> and its masked-LM support; one clear error for a family
    /// without one (GPT-2).</summary>
    public static (ModelFamily Family, MaskedLMSupport Support) Of(IModelConfig config, string source)
    {
        var family = ModelFamilies.For(config.ModelType, source);
        var support = family.MaskedLM ?? throw new TandemException(
            $"{source}: a {family.Name} model is not a masked language model (families with one: {string.Join(", ", ModelFamilies.All.Where(f => f.MaskedLM is not null).Select(f => f.Name))})");
        return (family, support);
    }

    /// <summary>A randomly initialised masked LM of <paramref name="config"/> (<c>is_decoder</c> and
    /// <c>add_cross_attention</c> cleared, <c>architectures</c> set to the family's masked-LM class).</summary>
    public static IMaskedLM Create(IModelConfig config, string source)
    {
        var (_, support) = Of(config, source);
        config.IsDecoder = false;
        config.AddCrossAttention = false;
        config.Architectures = [support.Loading.ClassName];
        return support.Create(config);
    }

    /// <summary>The masked LM of the folder <paramref name="dir"/> with the folder's weights; a head the folder lacks
    /// (a bare encoder's folder) is newly initialised and listed in <paramref name="report"/>'s missing keys.</summary>
    /// <exception cref="TandemException">Wrong shapes, no fitting weight, or missing weights outside the head.</exception>
    public static IMaskedLM Continue(string dir, out LoadReport report)
    {
        var config = ModelFamilies.LoadConfig(dir);
        var (family, support) = Of(config, dir);
        var model = Create(config, dir);
        try { report = support.Loading.Load(model.Module, dir, family.Name); }
        catch
        {
            model.Module.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>The masked LM of the folder <paramref name="dir"/>, every weight from it (its head included).</summary>
    /// <exception cref="TandemException">A weight is missing, unexpected or of the wrong shape.</exception>
    public static IMaskedLM FromPretrained(string dir)
    {
        var model = Continue(dir, out var report);
        try { report.ThrowIfIncomplete(dir); }
        catch
        {
            model.Module.Dispose();
            throw;
        }
        return model;
    }
}

using Tandem.Tokenization;
using Tandem.Training;

namespace Tandem.Pretraining;

/// <summary>What a pre-training starts from, as the masked-LM and causal-LM tasks both read it: the model named in the
/// config (a folder or <c>random:config.json</c>) and the run's own copy of its tokenizer (<c>model.tokenizer</c>, or
/// the model folder's).</summary>
/// <param name="Spec">The model: a resolved folder or <c>random:config.json</c>.</param>
/// <param name="TokenizerDir">The run's copy of the tokenizer.</param>
/// <param name="Tokenizer">The tokenizer, loaded.</param>
internal sealed record PretrainingSource(string Spec, string TokenizerDir, ITokenizer Tokenizer)
{
    /// <summary>Resolves <paramref name="model"/> (<c>model.encoder</c> or <c>model.decoder</c>) and its tokenizer.</summary>
    public static PretrainingSource Resolve(string model, TrainConfig config, CheckpointStore store)
    {
        var spec = ModelNames.Resolve(model);
        bool random = spec.StartsWith("random:", StringComparison.Ordinal);
        var tokSource = config.Model.Tokenizer is { } t ? ModelNames.Resolve(t) : random ? null : spec;
        var tokenizerDir = store.RunTokenizer(tokSource) ?? throw new TandemException("model.tokenizer: a model from random:config.json needs a tokenizer folder");
        try { return new PretrainingSource(spec, tokenizerDir, AutoTokenizer.FromPretrained(tokenizerDir)); }
        catch (TandemException e) { throw new TandemException($"model.tokenizer: {e.Message}", e); }
    }
}

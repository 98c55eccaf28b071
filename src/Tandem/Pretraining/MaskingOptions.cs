namespace Tandem.Pretraining;

/// <summary>BERT's masked-LM recipe, named as transformers' <c>DataCollatorForLanguageModeling</c> names it.</summary>
public sealed record MaskingOptions
{
    /// <summary>Share of the (non-special) tokens chosen for prediction.</summary>
    public double MlmProbability { get; init; } = 0.15;

    /// <summary>Of the chosen tokens, the share replaced by [MASK].</summary>
    public double MaskReplace { get; init; } = 0.8;

    /// <summary>Of the chosen tokens, the share replaced by a random token (the rest are kept as they are).</summary>
    public double RandomReplace { get; init; } = 0.1;

    /// <summary>Choose whole words (a token and the <c>##</c> pieces after it) instead of single tokens.</summary>
    public bool WholeWordMask { get; init; }

    /// <summary>Checks the values.</summary>
    public void Validate()
    {
        if (MlmProbability is <= 0 or >= 1) throw new TandemException($"mlm_probability {MlmProbability} must be between 0 and 1");
        if (MaskReplace < 0 || RandomReplace < 0 || MaskReplace + RandomReplace > 1)
            throw new TandemException($"mask_replace {MaskReplace} and random_replace {RandomReplace} must be non-negative and add up to at most 1");
    }
}

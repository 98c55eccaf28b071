namespace Tandem.Tokenization.Training;

/// <summary>Settings of <see cref="WordPieceTrainer"/>, named as transformers' tokenizers names them.</summary>
public sealed record VocabularyTrainingOptions
{
    /// <summary>Size of the vocabulary, special tokens and the alphabet included.</summary>
    public int VocabSize { get; init; } = 30522;

    /// <summary>A pair is merged only if it occurs at least this often.</summary>
    public long MinFrequency { get; init; } = 2;

    /// <summary>Lower-case the text (an uncased model); off by default: SQL and German are cased.</summary>
    public bool Lowercase { get; init; }

    /// <summary>Strip accents; null: as <see cref="Lowercase"/> (BERT's rule).</summary>
    public bool? StripAccents { get; init; }

    /// <summary>Keep only this many characters (the most frequent) in the alphabet; 0 keeps every character seen,
    /// so the trained tokenizer reads its whole corpus without [UNK].</summary>
    public int LimitAlphabet { get; init; }

    /// <summary>The special tokens, first in the vocabulary in this order.</summary>
    public IReadOnlyList<string> SpecialTokens { get; init; } = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

    /// <summary>Checks the values; one clear message for the first bad one.</summary>
    public void Validate()
    {
        if (VocabSize < SpecialTokens.Count + 1) throw new TandemException($"vocab size {VocabSize} is too small: it must hold the {SpecialTokens.Count} special tokens and an alphabet");
        if (MinFrequency < 1) throw new TandemException($"min frequency {MinFrequency} must be at least 1");
        if (LimitAlphabet < 0) throw new TandemException($"limit alphabet {LimitAlphabet} must be 0 (no limit) or positive");
        foreach (var t in new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" })
            if (!SpecialTokens.Contains(t)) throw new TandemException($"special tokens must include {t} (a BERT tokenizer needs it)");
    }
}

/// <summary>How far a vocabulary training is: the corpus read, then the merges.</summary>
/// <param name="Phase">"reading" or "merging".</param>
/// <param name="Done">Bytes read, or vocabulary entries made.</param>
/// <param name="Total">Bytes in all files, or the vocabulary size asked for.</param>
public sealed record VocabularyTrainingProgress(string Phase, long Done, long Total)
{
    /// <summary>0 to 1 within the phase.</summary>
    public double Fraction => Total > 0 ? Math.Min(1, (double)Done / Total) : 0;
}

namespace Tandem.Tokenization.Training;

/// <summary>Which model family a byte-level BPE is for: its special tokens and the template that adds them.</summary>
public enum BpeTemplate
{
    /// <summary>GPT-2: <c>&lt;|endoftext|&gt;</c> as bos, eos and unk; nothing added around a text.</summary>
    Gpt2,

    /// <summary>RoBERTa: <c>&lt;s&gt; &lt;pad&gt; &lt;/s&gt; &lt;unk&gt; &lt;mask&gt;</c>; a text becomes
    /// <c>&lt;s&gt; A &lt;/s&gt;</c>.</summary>
    Roberta,
}

/// <summary>Settings of <see cref="ByteLevelBpeTrainer"/>, named as Hugging Face's tokenizers names them.</summary>
public sealed record BpeTrainingOptions
{
    /// <summary>Size of the vocabulary: special tokens, the 256 bytes and the merges.</summary>
    public int VocabSize { get; init; } = 50257;

    /// <summary>A pair is merged only if it occurs at least this often.</summary>
    public long MinFrequency { get; init; } = 2;

    /// <summary>The family the tokenizer is for.</summary>
    public BpeTemplate Template { get; init; } = BpeTemplate.Gpt2;

    /// <summary>The special tokens of <see cref="Template"/>, first in the vocabulary in this order.</summary>
    public IReadOnlyList<string> SpecialTokens => Template == BpeTemplate.Roberta
        ? ["<s>", "<pad>", "</s>", "<unk>", "<mask>"] : ["<|endoftext|>"];

    /// <summary>Special tokens that take the whitespace before them (<c>lstrip</c>): RoBERTa's <c>&lt;mask&gt;</c>, so
    /// that <c>"a &lt;mask&gt;"</c> reads as the word after <c>a</c> would, its space included.</summary>
    public IReadOnlyList<string> LStripTokens => Template == BpeTemplate.Roberta ? ["<mask>"] : [];

    /// <summary>The special tokens by transformers' keys (<c>bos_token</c> …).</summary>
    public IReadOnlyList<(string Key, string Token)> SpecialTokenKeys => Template == BpeTemplate.Roberta
        ? [("bos_token", "<s>"), ("eos_token", "</s>"), ("unk_token", "<unk>"), ("sep_token", "</s>"), ("pad_token", "<pad>"), ("cls_token", "<s>"), ("mask_token", "<mask>")]
        : [("bos_token", "<|endoftext|>"), ("eos_token", "<|endoftext|>"), ("unk_token", "<|endoftext|>")];

    /// <summary>Checks the values; one clear message for the first bad one.</summary>
    public void Validate()
    {
        int least = SpecialTokens.Count + 256;
        if (VocabSize < least) throw new TandemException($"vocab size {VocabSize} is too small: a byte-level BPE holds its {SpecialTokens.Count} special tokens and 256 bytes ({least} at least)");
        if (MinFrequency < 1) throw new TandemException($"min frequency {MinFrequency} must be at least 1");
    }
}

using Ml = Microsoft.ML.Tokenizers;

namespace Tandem.Tokenization;

/// <summary>
/// The BPE model of a tokenizer: Microsoft.ML.Tokenizers' <c>BpeTokenizer</c> applied to one word at a time (the
/// words come from Tandem's pre-tokenizers, so its own pre-tokenizer and normalizer are off). With
/// <c>byteLevel</c> it maps UTF-8 bytes to GPT-2's byte alphabet first; on GPT-2's and RoBERTa's files it gives
/// transformers' ids for every reference text.
/// </summary>
internal static class BpeModel
{
    /// <summary>The word-to-ids function of a BPE vocabulary and its merges (<c>"a b"</c>, in rank order).</summary>
    /// <exception cref="TandemException">Microsoft.ML.Tokenizers rejects the vocabulary or merges.</exception>
    public static Func<string, IEnumerable<int>> Create(IReadOnlyDictionary<string, int> vocab, IReadOnlyList<string> merges,
        bool byteLevel, string? unknownToken, string? continuingSubwordPrefix, string? endOfWordSuffix, bool fuseUnknown, string source)
    {
        Ml.BpeTokenizer bpe;
        try
        {
            bpe = Ml.BpeTokenizer.Create(new Ml.BpeOptions(vocab)
            {
                Merges = merges,
                ByteLevel = byteLevel,
                UnknownToken = unknownToken,
                ContinuingSubwordPrefix = string.IsNullOrEmpty(continuingSubwordPrefix) ? null : continuingSubwordPrefix,
                EndOfWordSuffix = string.IsNullOrEmpty(endOfWordSuffix) ? null : endOfWordSuffix,
                FuseUnknownTokens = fuseUnknown,
            });
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new TandemException($"cannot build a BPE tokenizer from {source}: {e.Message}", e);
        }
        return word => bpe.EncodeToIds(word, considerPreTokenization: false, considerNormalization: false);
    }
}

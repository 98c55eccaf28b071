using Tandem.Tokenization;

namespace Tandem.Training.Data;

/// <summary>One example as ids: <see cref="Source"/> is <c>[CLS] source [SEP]</c>; <see cref="Labels"/> is the
/// target's tokens then <c>[SEP]</c> (the eos), without the decoder start token, as BERT2BERT trains: the model
/// shifts labels right and puts the decoder start token first.</summary>
/// <param name="Source">Encoder input ids.</param>
/// <param name="Labels">Target ids ending with eos.</param>
public sealed record TokenizedExample(int[] Source, int[] Labels)
{
    /// <summary>Tokenizes a pair, truncating the source to <paramref name="maxSource"/> ids (special tokens
    /// included) and the labels to <paramref name="maxTarget"/> ids (eos included).</summary>
    public static TokenizedExample From(TextPair pair, WordPieceTokenizer tokenizer, int maxSource, int maxTarget)
    {
        var src = tokenizer.EncodeToIds(pair.Source, addSpecialTokens: false);
        var tgt = tokenizer.EncodeToIds(pair.Target, addSpecialTokens: false);
        int s = Math.Min(src.Count, Math.Max(0, maxSource - 2)), t = Math.Min(tgt.Count, Math.Max(0, maxTarget - 1));
        var source = new int[s + 2];
        source[0] = tokenizer.ClsTokenId;
        for (int i = 0; i < s; i++) source[i + 1] = src[i];
        source[^1] = tokenizer.SepTokenId;
        var labels = new int[t + 1];
        for (int i = 0; i < t; i++) labels[i] = tgt[i];
        labels[^1] = tokenizer.SepTokenId;
        return new TokenizedExample(source, labels);
    }
}

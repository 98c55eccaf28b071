using Tandem.Tokenization;

namespace Tandem.Training.Data;

/// <summary>One example as ids: <see cref="Source"/> is the source as the source tokenizer encodes it for the encoder
/// (<c>[CLS] source [SEP]</c>, <c>&lt;s&gt; source &lt;/s&gt;</c>); <see cref="Labels"/> is the target's tokens
/// (target tokenizer) then the eos (<c>[SEP]</c> for BERT), without the decoder start token, as BERT2BERT trains: the
/// model shifts labels right and puts the decoder start token first.</summary>
/// <param name="Source">Encoder input ids.</param>
/// <param name="Labels">Target ids ending with eos.</param>
public sealed record TokenizedExample(int[] Source, int[] Labels)
{
    /// <summary>Tokenizes a pair, truncating the source to <paramref name="maxSource"/> ids (special tokens
    /// included) and the labels to <paramref name="maxTarget"/> ids (eos included).</summary>
    public static TokenizedExample From(TextPair pair, Seq2SeqTokenizers tokenizers, int maxSource, int maxTarget) =>
        new(tokenizers.EncodeSource(pair.Source, maxSource), tokenizers.EncodeTarget(pair.Target, maxTarget));
}

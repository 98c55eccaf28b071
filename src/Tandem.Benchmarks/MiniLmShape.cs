using Tandem.Models.Bert;
using Tandem.Models.EncoderDecoder;

namespace Tandem.Benchmarks;

/// <summary>The model every workload times: all-MiniLM-L6-v2's architecture (6 layers, hidden 384, 12 heads,
/// intermediate 1536, vocabulary 30522) on both sides of a BERT2BERT, with random weights.</summary>
public static class MiniLmShape
{
    /// <summary>Architecture of one half.</summary>
    public const int Hidden = 384, Layers = 6, Heads = 12, Intermediate = 1536, Vocab = 30522;

    /// <summary>Special ids of the BERT2BERT (start [CLS] 101, eos [SEP] 102, pad 0).</summary>
    public const int DecoderStart = 101, Eos = 102, Pad = 0;

    /// <summary>One half's config (an encoder; the decoder half is a clone the encoder-decoder marks as decoder).</summary>
    public static BertConfig Half() => new()
    {
        VocabSize = Vocab, HiddenSize = Hidden, NumHiddenLayers = Layers, NumAttentionHeads = Heads, IntermediateSize = Intermediate,
    };

    /// <summary>The encoder-decoder config.</summary>
    public static EncoderDecoderConfig Config()
    {
        var half = Half();
        return new EncoderDecoderConfig { Encoder = half, Decoder = half.Clone(), DecoderStartTokenId = DecoderStart, EosTokenId = Eos, PadTokenId = Pad };
    }
}

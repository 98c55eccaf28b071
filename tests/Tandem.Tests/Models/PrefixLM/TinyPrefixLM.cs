using Tandem.Generation;
using Tandem.Models.Bert;
using Tandem.Models.PrefixLM;
using static TorchSharp.torch;

namespace Tandem.Tests.Models.PrefixLM;

/// <summary>Tiny randomly initialised prefix LMs and padded batches for the tests. Ids: 0 [PAD], 1 [CLS], 2 [SEP].</summary>
internal static class TinyPrefixLM
{
    public const int Pad = 0, Cls = 1, Sep = 2;

    public static PrefixLMModel Create(int seed, int vocab = 40, int hidden = 32, int layers = 2, int heads = 4,
        double initRange = 0.2, double dropout = 0.0, int maxPositions = 64)
    {
        manual_seed(seed);
        var bert = new BertConfig
        {
            VocabSize = vocab,
            HiddenSize = hidden,
            NumHiddenLayers = layers,
            NumAttentionHeads = heads,
            IntermediateSize = hidden * 2,
            MaxPositionEmbeddings = maxPositions,
            InitializerRange = initRange,
            HiddenDropoutProb = dropout,
            AttentionProbsDropoutProb = dropout,
        };
        return new PrefixLMModel(new PrefixLMConfig(bert) { DecoderStartTokenId = Sep, EosTokenId = Sep, PadTokenId = Pad });
    }

    /// <summary>Right-padded ids and mask <c>[batch, maxLen]</c> from rows of ids.</summary>
    public static (Tensor Ids, Tensor Mask) Pack(IReadOnlyList<long[]> rows, long padValue = Pad)
    {
        int len = rows.Max(r => r.Length);
        var ids = rows.SelectMany(r => r.Concat(Enumerable.Repeat(padValue, len - r.Length))).ToArray();
        var mask = rows.SelectMany(r => Enumerable.Repeat(1L, r.Length).Concat(Enumerable.Repeat(0L, len - r.Length))).ToArray();
        return (tensor(ids, [rows.Count, len]), tensor(mask, [rows.Count, len]));
    }

    /// <summary><c>[CLS] body [SEP]</c>.</summary>
    public static long[] Source(IEnumerable<long> body) => [Cls, .. body, Sep];

    public static GenerationConfig Config(int beams = 1, int maxNewTokens = 8) => new()
    {
        DecoderStartTokenId = Sep,
        EosTokenId = [Sep],
        PadTokenId = Pad,
        NumBeams = beams,
        MaxNewTokens = maxNewTokens,
    };
}

using Tandem.Generation;
using Tandem.Models.Bert;
using Tandem.Models.EncoderDecoder;
using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Tests.Generation;

/// <summary>Successive generate calls leave no tensor behind (TorchSharp counts live tensors per thread).</summary>
public sealed class GenerationMemoryTests
{
    static EncoderDecoderModel TinyModel()
    {
        var half = new BertConfig
        {
            VocabSize = 40, HiddenSize = 16, NumHiddenLayers = 2, NumAttentionHeads = 2, IntermediateSize = 32, MaxPositionEmbeddings = 64,
        };
        manual_seed(3);
        var model = new EncoderDecoderModel(new EncoderDecoderConfig
        {
            Encoder = half, Decoder = half.Clone(), DecoderStartTokenId = 1, EosTokenId = 2, PadTokenId = 0,
        });
        model.eval();
        return model;
    }

    static readonly GenerationConfig[] Configs =
    [
        new() { DecoderStartTokenId = 1, EosTokenId = [2], PadTokenId = 0, MaxNewTokens = 6 },
        new() { DecoderStartTokenId = 1, EosTokenId = [2], PadTokenId = 0, MaxNewTokens = 6, NumBeams = 3, NumReturnSequences = 2, OutputScores = true },
        new()
        {
            DecoderStartTokenId = 1, EosTokenId = [2], PadTokenId = 0, MaxNewTokens = 6, MinNewTokens = 3,
            DoSample = true, Seed = 5, TopK = 10, TopP = 0.9, Temperature = 0.7, NumReturnSequences = 2,
            RepetitionPenalty = 1.2, NoRepeatNgramSize = 2, BadWordsIds = [[5], [6, 7]], OutputScores = true,
        },
        new() { DecoderStartTokenId = 1, EosTokenId = [2], PadTokenId = 0, MaxNewTokens = 6, ForcedBosTokenId = 4, ForcedEosTokenId = [2] },
    ];

    /// <summary>In float32 and in bf16 (held weight copies, and one- to four-row products through the bf16 kernel).</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SuccessiveGenerateCalls_LeaveNoLiveTensors(bool bf16)
    {
        using var precision = Tandem.Modeling.Autocast.Enter(bf16 ? ScalarType.BFloat16 : null);
        using var model = TinyModel();
        using var ids = tensor(new long[] { 5, 9, 11, 13, 3, 8, 0, 0 }, [2, 4]);                    // [batch, srcLen]
        using var mask = tensor(new long[] { 1, 1, 1, 1, 1, 1, 0, 0 }, [2, 4]);                     // [batch, srcLen]
        void Call(int i) => Tandem.Generation.Generator.Generate(model, ids, mask, Configs[i % Configs.Length], useCache: i % 5 != 4);

        for (int i = 0; i < Configs.Length * 5; i++) Call(i); // warm-up: anything created once is created now
        long before = DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;
        for (int i = 0; i < 200; i++) Call(i);
        long after = DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;
        Assert.Equal(before, after);
    }

    [Fact]
    public void AFailingCall_LeavesNoLiveTensors()
    {
        using var model = TinyModel();
        using var ids = tensor(new long[] { 5, 9, 11 }, [1, 3]);                                     // [batch, srcLen]
        using var mask = ones_like(ids);                                                            // [batch, srcLen]
        var bad = new GenerationConfig { DecoderStartTokenId = 1, EosTokenId = [2], MaxNewTokens = 4, BadWordsIds = [[99]] };
        long before = DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;
        for (int i = 0; i < 3; i++)
            Assert.Throws<TandemException>(() => Tandem.Generation.Generator.Generate(model, ids, mask, bad));
        Assert.Equal(before, DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount);
    }
}

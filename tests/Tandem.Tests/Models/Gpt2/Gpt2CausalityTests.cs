using Tandem.Modeling;
using Tandem.Models.Gpt2;
using static TorchSharp.torch;

namespace Tandem.Tests.Models.Gpt2;

/// <summary>
/// No position sees the future: changing the tokens after position t leaves the logits at positions 0..t
/// bit-identical, on the path causal-LM pre-training takes (training mode, no attention mask, packed full blocks, in
/// float32 and in bf16) and with a right-padded batch and its attention mask. Independent of any data: a model that
/// leaked could show a held-out loss below the text's entropy.
/// </summary>
public class Gpt2CausalityTests
{
    static Gpt2LMHeadModel Tiny()
    {
        manual_seed(7);
        var model = new Gpt2LMHeadModel(new Gpt2Config
        {
            VocabSize = 64, NPositions = 24, NEmbd = 32, NLayer = 2, NHead = 4, BosTokenId = 0, EosTokenId = 0,
            ResidPdrop = 0, EmbdPdrop = 0, AttnPdrop = 0,
        });
        model.train();
        return model;
    }

    [Theory]
    [InlineData("fp32", false)]
    [InlineData("bf16", false)]
    [InlineData("fp32", true)]
    [InlineData("bf16", true)]
    public void LogitsUpToAPositionAreBitIdenticalWhateverFollows(string precision, bool padded)
    {
        using var scope = NewDisposeScope();
        using var model = Tiny();
        using var autocast = Autocast.Enter(Autocast.Parse(precision));
        const int len = 16;
        var ids = randint(0, 64, [3, len], dtype: ScalarType.Int64);                             // [batch, len]
        var mask = padded ? ones(3, len, ScalarType.Int64) : null;                                 // rows 1 and 2 right-padded
        if (mask is not null)
        {
            mask[1, 11..] = tensor(0L);
            mask[2, 5..] = tensor(0L);
        }
        var logits = model.forward(new DecoderInput { InputIds = ids, AttentionMask = mask });  // [batch, len, vocab]
        foreach (int t in new[] { 0, 3, 8, 14 })
        {
            var changed = ids.clone();
            changed[.., (t + 1)..] = (changed[.., (t + 1)..] + randint(1, 64, [3, len - t - 1], dtype: ScalarType.Int64)) % 64;
            var after = model.forward(new DecoderInput { InputIds = changed, AttentionMask = mask });
            Assert.True(Same(logits[.., ..(t + 1)], after[.., ..(t + 1)]), $"{precision}: logits at positions <= {t} changed with the tokens after it");
            Assert.False(Same(logits[.., (t + 1)..], after[.., (t + 1)..]), "the change reached no later position: the check checks nothing");
        }
    }

    static bool Same(Tensor a, Tensor b) => a.equal(b).all().item<bool>();
}

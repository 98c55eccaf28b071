using Tandem.Models.Bert;
using Tandem.Models.PrefixLM;
using Tandem.Tests.TestSupport;
using static TorchSharp.torch;

namespace Tandem.Tests.Models.PrefixLM;

/// <summary>The prefix mask and the reference encoder under it, against what transformers 4.40.2 computed
/// (<c>unilm_prefix_mask</c> in tiny-bert2bert-eos/reference.json).</summary>
public class PrefixLMReferenceTests
{
    const double Tolerance = 1e-5;

    static (Tensor Source, Tensor Target) Split(Reference r)
    {
        using var ids = r.Tensor("unilm_prefix_mask.input_ids", ScalarType.Int64);             // [1, 8]
        int prefix = r["unilm_prefix_mask.prefix_len"].GetValue<int>();
        return (ids[.., ..prefix].clone(), ids[.., prefix..].clone());
    }

    [Fact]
    public void LayoutMatchesTheReferenceMaskSegmentsAndPositions()
    {
        var r = Reference.Load(Reference.Eos);
        var (source, target) = Split(r);
        using var _s = source;
        using var _t = target;
        using var mask = ones_like(source);
        using var layout = PrefixLMInputs.Build(source, mask, target, null);
        using var ids = r.Tensor("unilm_prefix_mask.input_ids", ScalarType.Int64);
        using var types = r.Tensor("unilm_prefix_mask.token_type_ids", ScalarType.Int64);
        using var expected = r.Tensor("unilm_prefix_mask.attention_mask_3d", ScalarType.Int64);
        Assert.True(layout.InputIds.shape.SequenceEqual(ids.shape) && layout.InputIds.eq(ids).all().item<bool>());
        Assert.True(layout.TokenTypeIds.shape.SequenceEqual(types.shape) && layout.TokenTypeIds.eq(types).all().item<bool>());
        Assert.True(layout.AttentionMask.shape.SequenceEqual(expected.shape) && layout.AttentionMask.eq(expected).all().item<bool>());
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i), layout.PositionIds[0].data<long>().ToArray());
        Assert.Equal(3L, layout.LastSourceIndex[0].item<long>());
    }

    [Fact]
    public void ReferenceEncoderUnderThePrefixMaskMatchesTransformersAndPrefixRowsEqualTheSourceAlone()
    {
        var r = Reference.Load(Reference.Eos);
        var (model, report) = PrefixLMModel.FromBert(Path.Combine(r.Dir, "encoder"),
            new PrefixLMOptions { DecoderStartTokenId = 3, EosTokenId = 3, PadTokenId = 0 });
        using var _m = model;
        model.eval();
        // An encoder-only checkpoint: the stack is loaded, the LM head is new (its output matrix is the word embeddings).
        Assert.NotNull(report);
        Assert.Contains("bert.encoder.layer.1.output.dense.weight", report!.Loaded);
        Assert.Contains("cls.predictions.transform.dense.weight", report.Missing);
        Assert.DoesNotContain("cls.predictions.decoder.weight", report.Missing);
        Assert.All(report.Missing, k => Assert.StartsWith("cls.", k));

        var (source, target) = Split(r);
        using var _s = source;
        using var _t = target;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var layout = PrefixLMInputs.Build(source, ones_like(source), target, null);
        var hidden = model.RunBert(layout, null);                                               // [1, 8, 32]
        var expected = r.Tensor("unilm_prefix_mask.last_hidden_state_3d_mask");
        Assert.True(Reference.MaxAbsDiff(hidden, expected) <= Tolerance);

        var alone = model.Bert.forward(source).LastHiddenState;                                 // [1, 4, 32]
        Assert.True(Reference.MaxAbsDiff(hidden[.., ..4], alone) <= Tolerance);
        var full = r.Tensor("unilm_prefix_mask.last_hidden_state_full_mask");
        Assert.True(Reference.MaxAbsDiff(hidden, full) > 1e-3);                                  // the mask matters
    }

    [Fact]
    public void ForwardEncoderStatesAreTheSourceRunAlone()
    {
        var r = Reference.Load(Reference.Eos);
        var (model, _) = PrefixLMModel.FromBert(Path.Combine(r.Dir, "encoder"),
            new PrefixLMOptions { DecoderStartTokenId = 3, EosTokenId = 3, PadTokenId = 0 });
        using var _m = model;
        model.eval();
        var (source, target) = Split(r);
        using var _s = source;
        using var _t = target;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var labels = cat([target, tensor(new long[] { 3 }).unsqueeze(0)], 1);                   // [1, 5]
        using var output = model.Forward(new Tandem.Modeling.Seq2SeqInput { InputIds = source, Labels = labels });
        Assert.Equal([1L, 5L, 99L], output.Logits.shape);
        var expected = r.Tensor("unilm_prefix_mask.last_hidden_state_3d_mask")[.., ..4];
        Assert.True(Reference.MaxAbsDiff(output.EncoderLastHiddenState, expected) <= Tolerance);
        Assert.True(float.IsFinite(output.Loss!.item<float>()));
    }
}

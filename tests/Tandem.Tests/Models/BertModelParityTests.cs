using Tandem.Models.Bert;
using Tandem.Tests.TestSupport;
using static TorchSharp.torch;

namespace Tandem.Tests.Models;

public class BertModelParityTests
{
    [Theory]
    [InlineData(Reference.Eos)]
    [InlineData(Reference.Plain)]
    public void EncoderFolderMatchesTransformers(string name)
    {
        var r = Reference.Load(name);
        using var model = BertModel.FromPretrained(Path.Combine(r.Dir, "encoder"));
        model.eval();
        using var ids = r.Tensor("inputs.input_ids", ScalarType.Int64);
        using var mask = r.Tensor("inputs.attention_mask", ScalarType.Int64);
        using var output = model.forward(ids, mask);
        using var expected = r.Tensor("encoder_last_hidden_state");
        Assert.True(Reference.MaxAbsDiff(output.LastHiddenState, expected) <= 1e-5);
        using var pooled = r.Tensor("encoder_pooler_output");
        Assert.True(Reference.MaxAbsDiff(output.PoolerOutput!, pooled) <= 1e-5);
    }

    [Fact]
    public void PrefixMaskMatchesTransformers()
    {
        var r = Reference.Load(Reference.Eos);
        using var model = BertModel.FromPretrained(Path.Combine(r.Dir, "encoder"));
        model.eval();
        using var ids = r.Tensor("unilm_prefix_mask.input_ids", ScalarType.Int64);
        using var types = r.Tensor("unilm_prefix_mask.token_type_ids", ScalarType.Int64);
        using var mask = r.Tensor("unilm_prefix_mask.attention_mask_3d", ScalarType.Int64);
        using var output = model.forward(ids, mask, types);
        using var expected = r.Tensor("unilm_prefix_mask.last_hidden_state_3d_mask");
        Assert.True(Reference.MaxAbsDiff(output.LastHiddenState, expected) <= 1e-5);
    }
}

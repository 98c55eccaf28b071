using Tandem.Tests.TestSupport;
using Tandem.Training;

namespace Tandem.Tests.Pretraining;

public class PretrainConfigTests
{
    [Theory]
    [InlineData("model.decoder=x", "model:", "only model.encoder")]
    [InlineData("model.tokenizer=null", "model.tokenizer:", "random:config.json")]
    [InlineData("evaluation.metric=bleu", "evaluation.metric:", "masked_accuracy")]
    [InlineData("objective.block_size=1", "objective.block_size:", ">= 2")]
    [InlineData("objective.mlm_probability=1.5", "objective.mlm_probability:", "between 0 and 1")]
    [InlineData("objective.type=xlm", "objective.type:", "seq2seq, mlm or clm")]
    public void AMaskedLMConfigIsCheckedKeyByKey(string setting, string key, string message)
    {
        using var tmp = Paths.TempDir();
        var e = Assert.Throws<TandemException>(() => TinyGrammar.Config(tmp.Path, "run", setting));
        Assert.StartsWith(key, e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void MaskedLMMetricsAreRefusedForSeq2Seq()
    {
        using var tmp = Paths.TempDir();
        var e = Assert.Throws<TandemException>(() => Tests.Training.TinyTask.Config(tmp.Path, "run", "evaluation.metric=perplexity"));
        Assert.StartsWith("evaluation.metric:", e.Message);
    }
}

using Tandem.Modeling;
using Tandem.Models.Bert;
using Tandem.Models.EncoderDecoder;
using Tandem.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Tests.Models.EncoderDecoder;

public class SharingAndProjectionTests
{
    static readonly string EncoderDir = Paths.Reference(Reference.Eos, "encoder");
    static readonly WarmStartOptions Ids = new() { DecoderStartTokenId = 2, EosTokenId = 3, PadTokenId = 0 };

    static Tensor Logits(EncoderDecoderModel model)
    {
        model.eval();
        var r = Reference.Load(Reference.Eos);
        using var scope = NewDisposeScope();
        using var output = model.forward(new Seq2SeqInput
        {
            InputIds = r.Tensor("inputs.input_ids", ScalarType.Int64),
            AttentionMask = r.Tensor("inputs.attention_mask", ScalarType.Int64),
            Labels = r.Tensor("inputs.labels", ScalarType.Int64),
        });
        return output.Logits.detach().clone().MoveToOuterDisposeScope();
    }

    [Fact]
    public void BertShareSharesOneTensorAndStaysSharedAfterReload()
    {
        var (model, report) = EncoderDecoderModel.FromEncoderDecoderPretrained(EncoderDir, EncoderDir,
            new WarmStartOptions { TieEncoderDecoder = true, DecoderStartTokenId = 2, EosTokenId = 3, PadTokenId = 0 });
        using var _ = model;
        Assert.Contains("encoder.encoder.layer.0.attention.self.query.weight", report.SharedKeys);
        var sd = model.state_dict();
        var enc = sd["encoder.encoder.layer.0.attention.self.query.weight"];
        var dec = sd["decoder.bert.encoder.layer.0.attention.self.query.weight"];
        Assert.Same(enc, dec);
        using (no_grad()) dec[0, 0] = 123.0f;                                // an update to one is seen by the other
        Assert.Equal(123.0f, enc[0, 0].item<float>());
        Assert.NotSame(sd["encoder.pooler.dense.weight"], sd["decoder.bert.encoder.layer.0.crossattention.self.query.weight"]);

        using var tmp = Paths.TempDir();
        model.SavePretrained(tmp.Path);
        var saved = Tandem.Checkpoints.SafeTensors.ReadShapes(tmp["model.safetensors"]);
        Assert.DoesNotContain("encoder.encoder.layer.0.attention.self.query.weight", saved.Keys);   // stored once
        Assert.Contains("decoder.bert.encoder.layer.0.attention.self.query.weight", saved.Keys);
        using var reloaded = EncoderDecoderModel.FromPretrained(tmp.Path);
        var sd2 = reloaded.state_dict();
        Assert.Same(sd2["encoder.encoder.layer.1.output.dense.weight"], sd2["decoder.bert.encoder.layer.1.output.dense.weight"]);
        using var a = Logits(model);
        using var b = Logits(reloaded);
        Assert.Equal(0.0, Reference.MaxAbsDiff(a, b));
    }

    [Fact]
    public void DifferentHiddenSizesUseAProjectionAndRoundTrip()
    {
        using var tmp = Paths.TempDir();
        var decoderConfig = BertConfig.Load(EncoderDir);
        decoderConfig.HiddenSize = 48;
        decoderConfig.NumAttentionHeads = 6;
        decoderConfig.Save(tmp["dec"]);
        var (model, report) = EncoderDecoderModel.FromEncoderDecoderPretrained(EncoderDir, "random:" + tmp["dec"], Ids);
        using var _ = model;
        Assert.Null(report.DecoderLoad);
        var sd = model.state_dict();
        Assert.Equal([48L, 32L], sd["enc_to_dec_proj.weight"].shape);
        Assert.Equal([48L, 48L], sd["decoder.bert.encoder.layer.0.crossattention.self.key.weight"].shape);
        model.SavePretrained(tmp["saved"]);
        using var reloaded = EncoderDecoderModel.FromPretrained(tmp["saved"]);
        using var a = Logits(model);
        using var b = Logits(reloaded);
        Assert.Equal(0.0, Reference.MaxAbsDiff(a, b));
    }

    [Fact]
    public void PytorchBinSaveRoundTrips()
    {
        using var model = EncoderDecoderModel.FromPretrained(Paths.Reference(Reference.Eos));
        using var tmp = Paths.TempDir();
        model.SavePretrained(tmp.Path, safeSerialization: false);
        Assert.True(File.Exists(tmp["pytorch_model.bin"]));
        Assert.False(File.Exists(tmp["model.safetensors"]));
        using var reloaded = EncoderDecoderModel.FromPretrained(tmp.Path);
        using var a = Logits(model);
        using var b = Logits(reloaded);
        Assert.Equal(0.0, Reference.MaxAbsDiff(a, b));
    }

    [Fact]
    public void RandomSidesForAblations()
    {
        var configPath = Path.Combine(EncoderDir, "config.json");
        var (rnd2rnd, report) = EncoderDecoderModel.FromEncoderDecoderPretrained("random:" + configPath, "random:" + configPath, Ids);
        using var _ = rnd2rnd;
        Assert.Null(report.EncoderLoad);
        Assert.Null(report.DecoderLoad);
        Assert.Equal(report.TotalParameters, report.NewParameters);
        var (bert2rnd, report2) = EncoderDecoderModel.FromEncoderDecoderPretrained(EncoderDir, "random:" + configPath, Ids);
        using var __ = bert2rnd;
        Assert.NotNull(report2.EncoderLoad);
        Assert.Empty(report2.EncoderLoad!.Missing);
        Assert.True(report2.NewParameters < report2.TotalParameters);
    }

    [Fact]
    public void LossWithoutSpecialIdsIsAClearError()
    {
        using var model = EncoderDecoderModel.FromPretrained(Paths.Reference(Reference.Eos));
        model.Config.DecoderStartTokenId = null;
        var e = Assert.Throws<TandemException>(() => Logits(model));
        Assert.Contains("decoder_start_token_id is not set", e.Message);
        model.Config.DecoderStartTokenId = 2;
        model.Config.PadTokenId = null;
        Assert.Contains("pad_token_id is not set", Assert.Throws<TandemException>(() => Logits(model)).Message);
    }

    [Fact]
    public void AnLMHeadCheckpointAsEncoderIsAcceptedAndItsHeadReported()
    {
        var decoderDir = Paths.Reference(Reference.Eos, "decoder");
        var (model, report) = EncoderDecoderModel.FromEncoderDecoderPretrained(decoderDir, EncoderDir, Ids);
        using var _ = model;
        Assert.False(model.Config.Encoder.IsDecoder);
        Assert.Contains(report.EncoderLoad!.Ignored, k => k.StartsWith("cls.predictions", StringComparison.Ordinal));
        Assert.Contains(report.Describe(), l => l.Contains("cls.predictions"));
    }

    [Fact]
    public void ADecoderOfAnUnknownFamilyIsRefusedNamingTheSupportedOnes()
    {
        using var tmp = Paths.TempDir();
        File.WriteAllText(tmp["config.json"], """{"model_type": "electra", "hidden_size": 32}""");
        var e = Assert.Throws<TandemException>(() => EncoderDecoderModel.FromEncoderDecoderPretrained(EncoderDir, tmp.Path, Ids));
        Assert.Contains("electra", e.Message);
        Assert.Contains("\"gpt2\"", e.Message);
    }
}

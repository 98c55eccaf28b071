using Tandem.Modeling;
using Tandem.Models.EncoderDecoder;
using Tandem.Tests.TestSupport;
using static TorchSharp.torch;

namespace Tandem.Tests.Models.EncoderDecoder;

public class EncoderDecoderParityTests
{
    const double Tolerance = 1e-5;

    static Seq2SeqOutput Run(EncoderDecoderModel model, Reference r, bool decoderMask, bool labelsOnly = false) =>
        ReferenceRuns.Forward(model, r, decoderMask, labelsOnly);

    static EncoderDecoderModel Load(string dir) => ReferenceRuns.Load(dir);

    [Theory]
    [InlineData(Reference.Eos)]
    [InlineData(Reference.Plain)]
    public void LogitsAndLossesMatchTransformers(string name)
    {
        var r = Reference.Load(name);
        using var model = Load(r.Dir);
        ReferenceRuns.AssertForwardMatches(model, r, Tolerance);
    }

    [Theory]
    [InlineData(Reference.Eos)]
    [InlineData(Reference.Plain)]
    public void ShiftTokensRightMatchesTransformers(string name)
    {
        var r = Reference.Load(name);
        using var labels = r.Tensor("inputs.labels", ScalarType.Int64);
        using var shifted = Seq2SeqLabels.ShiftTokensRight(labels, 0, 2);
        using var expected = r.Tensor("shifted_decoder_input_ids_from_labels", ScalarType.Int64);
        Assert.True(shifted.eq(expected).all().item<bool>());
    }

    [Fact]
    public void SafetensorsBinAndTwoCheckpointsGiveTheSameLogits()
    {
        var r = Reference.Load(Reference.Eos);
        using var fromSafetensors = Load(r.Dir);
        using var tmp = Paths.TempDir();
        File.Copy(Path.Combine(r.Dir, "config.json"), tmp["config.json"]);
        File.Copy(Path.Combine(r.Dir, "pytorch_model.bin"), tmp["pytorch_model.bin"]);
        using var fromBin = Load(tmp.Path);
        var (warm, report) = EncoderDecoderModel.FromEncoderDecoderPretrained(
            Path.Combine(r.Dir, "encoder"), Path.Combine(r.Dir, "decoder"),
            new WarmStartOptions { DecoderStartTokenId = 2, PadTokenId = 0, EosTokenId = 3 });
        using var _ = warm;
        warm.eval();
        Assert.Empty(report.DecoderLoad!.Missing);
        Assert.Empty(report.EncoderLoad!.Missing);
        using var a = Run(fromSafetensors, r, true);
        using var b = Run(fromBin, r, true);
        using var c = Run(warm, r, true);
        Assert.Equal(0.0, Reference.MaxAbsDiff(a.Logits, b.Logits));
        Assert.Equal(0.0, Reference.MaxAbsDiff(a.Logits, c.Logits));
    }

    [Fact]
    public void WarmStartingTheDecoderFromTheEncoderNewlyInitialisesWhatTransformersDoes()
    {
        var r = Reference.Load(Reference.Eos);
        var encoderDir = Path.Combine(r.Dir, "encoder");
        var (model, report) = EncoderDecoderModel.FromEncoderDecoderPretrained(encoderDir, encoderDir,
            new WarmStartOptions { DecoderStartTokenId = 2, EosTokenId = 3 });
        using var _ = model;
        var expected = r.Strings("reload_checks.warm_start_decoder_from_encoder_only_ckpt.decoder_keys_not_from_ckpt")
            .OrderBy(s => s, StringComparer.Ordinal).ToList();
        Assert.Equal(expected, report.DecoderLoad!.NotFromCheckpoint);
        Assert.Equal(r["reload_checks.warm_start_decoder_from_encoder_only_ckpt.decoder_keys_copied_from_encoder_ckpt"].GetValue<int>(),
            report.DecoderLoad.Loaded.Count);
        Assert.Equal(["pooler.dense.bias", "pooler.dense.weight"], report.DecoderLoad.Unused.Order().ToList());
    }
}

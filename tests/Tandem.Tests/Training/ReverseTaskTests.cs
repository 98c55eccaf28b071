using System.Diagnostics;
using Tandem.Tests.TestSupport;
using Tandem.Training;

namespace Tandem.Tests.Training;

[Collection(TestSupport.SequentialCollection.Name)]
public class ReverseTaskTests
{
    [Fact]
    public void TinyBert2BertLearnsToReverseSequences()
    {
        using var tmp = Paths.TempDir();
        TinyTask.Write(tmp.Path);
        var config = TinyTask.Config(tmp.Path, "run", "evaluation.every_steps=400");
        var lines = new List<string>();
        var clock = Stopwatch.StartNew();
        var result = Trainer.Run(config, new TrainOptions { Log = l => lines.Add($"{clock.Elapsed.TotalSeconds:F1}s {l}"), Progress = new Progress(lines, clock) });
        clock.Stop();
        var em = result.LastEvaluation!.ExactMatch!.Value;
        Assert.True(em >= 0.95, $"exact match {em:P1} after {result.Steps} steps\n{string.Join("\n", lines)}");
        // How long it takes is measured by `bench reverse`, not asserted here: a shared machine makes any bound flaky.
        Assert.True(File.Exists(Path.Combine(result.RunDir, "config.resolved.json")));
        Assert.True(File.Exists(Path.Combine(result.RunDir, "metrics.jsonl")));
        Assert.NotNull(result.BestCheckpoint);
    }

    [Fact]
    public void Bf16MixedPrecisionLearnsItAsWell()
    {
        using var tmp = Paths.TempDir();
        TinyTask.Write(tmp.Path);
        var config = TinyTask.Config(tmp.Path, "run", "evaluation.every_steps=400", "precision=bf16");
        var result = Trainer.Run(config, new TrainOptions());
        Assert.True(result.LastEvaluation!.ExactMatch!.Value >= 0.95, $"bf16 exact match {result.LastEvaluation.ExactMatch:P1}");
        Assert.All(Tandem.Modeling.Seq2SeqModels.FromPretrained(result.BestCheckpoint!).Module.parameters(),
            p => Assert.Equal(TorchSharp.torch.ScalarType.Float32, p.dtype));                    // float32 master weights
    }

    [Theory]
    [InlineData("bert")]         // BERT2GPT2
    [InlineData("roberta")]      // RoBERTa2GPT2
    public void AnEncoderWithATinyGpt2DecoderLearnsToReverseSequences(string encoderFamily)
    {
        using var tmp = Paths.TempDir();
        TinyTask.Write(tmp.Path, family: encoderFamily);
        var config = TinyTask.Config(tmp.Path, "run", "evaluation.every_steps=400", "model.decoder=random:" + tmp["gpt2.json"]);
        var result = Trainer.Run(config, new TrainOptions());
        Assert.True(result.LastEvaluation!.ExactMatch!.Value >= 0.95, $"{encoderFamily}2GPT2 exact match {result.LastEvaluation.ExactMatch:P1}");
        using var model = Tandem.Modeling.Seq2SeqModels.FromPretrained(result.BestCheckpoint!);
        Assert.Equal("gpt2", ((Tandem.Models.EncoderDecoder.EncoderDecoderModel)model).Config.Decoder.ModelType);
    }

    [Fact]
    public void TinyRobertaShareLearnsToReverseSequences()
    {
        using var tmp = Paths.TempDir();
        TinyTask.Write(tmp.Path, family: "roberta");
        var config = TinyTask.Config(tmp.Path, "run", "evaluation.every_steps=400", "model.tie_encoder_decoder=true");
        var result = Trainer.Run(config, new TrainOptions());
        Assert.True(result.LastEvaluation!.ExactMatch!.Value >= 0.95, $"RoBERTaShare exact match {result.LastEvaluation.ExactMatch:P1}");
        using var model = (Tandem.Models.EncoderDecoder.EncoderDecoderModel)Tandem.Modeling.Seq2SeqModels.FromPretrained(result.BestCheckpoint!);
        Assert.Equal(("roberta", true), (model.Config.Decoder.ModelType, model.Config.TieEncoderDecoder));
        Assert.Equal((0, 1, 2), (model.Config.DecoderStartTokenId, model.Config.PadTokenId, model.Config.EosTokenId));
        var sd = model.state_dict();
        Assert.Same(sd["encoder.encoder.layer.1.output.dense.weight"], sd["decoder.roberta.encoder.layer.1.output.dense.weight"]);
    }

    sealed class Progress(List<string> lines, Stopwatch clock) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress p) { if (p.Step % 50 == 0) lines.Add($"{clock.Elapsed.TotalSeconds:F1}s {p}"); }
    }
}

using System.Diagnostics;
using System.Text.Json.Nodes;
using Tandem.Checkpoints;
using Tandem.Models.Bert;
using Tandem.Models;
using Tandem.Models.Roberta;
using Tandem.Pipelines;
using Tandem.Tests.TestSupport;
using Tandem.Training;
using Xunit.Abstractions;

namespace Tandem.Tests.Pretraining;

[Collection(SequentialCollection.Name)]
public class MaskedLMPretrainingTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ATinyModelPretrainedOnASyntheticGrammarFillsItsMasksFarAboveChance(bool roberta)
    {
        using var tmp = Paths.TempDir();
        TinyGrammar.Write(tmp.Path, roberta: roberta);
        var lines = new List<string>();
        var clock = Stopwatch.StartNew();
        var result = Trainer.Run(TinyGrammar.Config(tmp.Path, "run"), new TrainOptions { Log = lines.Add });
        var seconds = clock.Elapsed.TotalSeconds;
        var eval = result.LastEvaluation!;
        Assert.NotNull(eval.Perplexity);
        Assert.Equal(Math.Exp(eval.Loss!.Value), eval.Perplexity!.Value, 6);

        // Every (subject, verb) pair with the object masked: the rule decides it, chance among the 8 nouns is 12.5 %.
        using var fill = FillMaskPipeline.Load(result.LastCheckpoint!);
        Assert.Equal(TinyGrammar.Mask(roberta), fill.MaskToken);
        int right = 0, total = 0;
        for (int s = 0; s < TinyGrammar.Nouns.Length; s++)
            foreach (var verb in TinyGrammar.Verbs)
            {
                var guesses = fill.Fill($"{TinyGrammar.Nouns[s]} {verb} {TinyGrammar.Mask(roberta)}", topK: 3);
                Assert.Single(guesses);
                Assert.Equal(3, guesses[0].Count);
                Assert.True(guesses[0][0].Probability >= guesses[0][1].Probability);
                if (guesses[0][0].Token == TinyGrammar.TokenOf(TinyGrammar.ObjectOf(s), roberta)) right++;
                total++;
            }
        double accuracy = (double)right / total;
        output.WriteLine($"{(roberta ? "RoBERTa" : "BERT")}: {result.Steps} steps in {seconds:F1} s; dev {eval}; masked objects filled right: {right}/{total} = {accuracy:P1} (chance 12.5 %)");
        Assert.True(accuracy >= 0.9, $"{right}/{total} objects right (chance 1/8)\n{string.Join("\n", lines)}");
        // The dev set's masked tokens are subjects and objects (each decides the other) and the random verbs (1 in 4 at best).
        Assert.True(eval.MaskedAccuracy > 0.6, $"dev masked accuracy {eval.MaskedAccuracy:P1}\n{string.Join("\n", lines)}");
        Assert.True(File.Exists(Path.Combine(result.RunDir, "metrics.jsonl")));
        Assert.Contains("masked_accuracy", File.ReadAllText(Path.Combine(result.RunDir, "metrics.jsonl")));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.9)]
    public void InterruptedThenResumedEndsWithTheSameWeights(double emaDecay)
    {
        using var tmp = Paths.TempDir();
        TinyGrammar.Write(tmp.Path, trainCount: 400, devCount: 40, dropout: 0.1);
        string[] settings =
        [
            "schedule.max_steps=10", "schedule.warmup_steps=2", "evaluation.every_steps=5", "output.save_every_steps=5",
            "output.keep_last=3", "batching.max_tokens=160", "batching.accumulation_steps=2",
            $"optimizer.ema_decay={emaDecay.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
        ];
        var straight = Trainer.Run(TinyGrammar.Config(tmp.Path, "straight", settings));
        using var cts = new CancellationTokenSource();
        var first = Trainer.Run(TinyGrammar.Config(tmp.Path, "split", settings),
            new TrainOptions { Cancellation = cts.Token, Progress = new StopAtStep(5, cts) });
        Assert.True(first.Cancelled);
        var second = Trainer.Run(TinyGrammar.Config(tmp.Path, "split", settings), new TrainOptions { Resume = true });
        Assert.Equal(10, second.Steps);
        Assert.Equal(straight.LossCurve.Skip(5), second.LossCurve);
        SameWeights.Assert(Weights(straight.LastCheckpoint!), Weights(second.LastCheckpoint!));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ACheckpointIsAMaskedLMFolderThatWarmStartsAnEncoderDecoderWithOnlyCrossAttentionNew(bool roberta)
    {
        using var tmp = Paths.TempDir();
        TinyGrammar.Write(tmp.Path, trainCount: 200, devCount: 20, roberta: roberta);
        var result = Trainer.Run(TinyGrammar.Config(tmp.Path, "run", "schedule.max_steps=3"));
        var dir = result.LastCheckpoint!;

        // as transformers saves BertForMaskedLM and RobertaForMaskedLM: the head's decoder weight and bias are the
        // word embeddings and the head's bias, not written twice
        var (architecture, body, head, headKeys, tokenizerFiles) = roberta
            ? ("RobertaForMaskedLM", "roberta.", "lm_head.",
               new[] { "lm_head.bias", "lm_head.dense.bias", "lm_head.dense.weight", "lm_head.layer_norm.bias", "lm_head.layer_norm.weight" },
               new[] { "vocab.json", "merges.txt", "tokenizer.json" })
            : ("BertForMaskedLM", "bert.", "cls.",
               new[] { "cls.predictions.bias", "cls.predictions.transform.LayerNorm.bias", "cls.predictions.transform.LayerNorm.weight",
                       "cls.predictions.transform.dense.bias", "cls.predictions.transform.dense.weight" },
               new[] { "vocab.txt" });
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        Assert.Equal(architecture, config["architectures"]![0]!.GetValue<string>());
        Assert.False(config["is_decoder"]!.GetValue<bool>());
        Assert.All(tokenizerFiles, f => Assert.True(File.Exists(Path.Combine(dir, f)), f));
        using (var weights = StateDict.FromFolder(dir))
        {
            var keys = weights.Tensors.Keys.ToList();
            Assert.All(keys, k => Assert.True(k.StartsWith(body, StringComparison.Ordinal) || k.StartsWith(head, StringComparison.Ordinal), k));
            Assert.Equal(headKeys, keys.Where(k => k.StartsWith(head, StringComparison.Ordinal)).Order(StringComparer.Ordinal));
            Assert.Contains(body + "embeddings.word_embeddings.weight", keys);
            Assert.DoesNotContain(keys, k => k.Contains("pooler", StringComparison.Ordinal) || k.Contains("crossattention", StringComparison.Ordinal));
        }

        var (model, report) = Seq2SeqInitializer.Create(dir, dir, tie: false);
        using (model)
        {
            output.WriteLine(string.Join("\n", report.Describe()));
            Assert.Empty(report.EncoderLoad!.Unused);
            Assert.Empty(report.DecoderLoad!.Unused);
            Assert.NotEmpty(report.DecoderLoad.Missing);
            Assert.All(report.DecoderLoad.Missing, k => Assert.Contains("crossattention", k));
            Assert.All(report.EncoderLoad.Missing, k => Assert.Contains("pooler", k));
        }
    }

    [Fact]
    public void PretrainingContinuesFromARobertaEncoderFolderWithOnlyTheHeadNew()
    {
        using var tmp = Paths.TempDir();
        TinyGrammar.Write(tmp.Path, trainCount: 200, devCount: 20, roberta: true);
        var first = Trainer.Run(TinyGrammar.Config(tmp.Path, "first", "schedule.max_steps=2"));
        // a bare RobertaModel folder (as RobertaModel.save_pretrained writes it, pooler included) of the first run's body
        var body = (RobertaModel)ModelFamilies.LoadEncoder(first.LastCheckpoint!).Module;
        using (body)
        {
            body.Config.Architectures = ["RobertaModel"];
            body.SavePretrained(tmp["encoder"]);
        }
        var lines = new List<string>();
        var result = Trainer.Run(TinyGrammar.Config(tmp.Path, "second", "schedule.max_steps=2", $"model.encoder={tmp["encoder"]}"),
            new TrainOptions { Log = lines.Add });
        var state = TrainerState.Load(result.LastCheckpoint!);
        Assert.NotEmpty(state.NewKeys);
        Assert.All(state.NewKeys, k => Assert.StartsWith("lm_head.", k));
        Assert.Contains(lines, l => l.Contains("RobertaForMaskedLM continued from", StringComparison.Ordinal));
    }

    static Dictionary<string, float[]> Weights(string checkpoint)
    {
        using var model = BertLMHeadModel.FromPretrained(checkpoint);
        return SameWeights.Of(model);
    }
}

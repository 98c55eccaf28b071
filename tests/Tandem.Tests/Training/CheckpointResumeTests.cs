using Tandem.Tests.TestSupport;
using Tandem.Training;
using Tandem.Training.Optimization;
using TorchSharp;

namespace Tandem.Tests.Training;

[Collection(TestSupport.SequentialCollection.Name)]
public class CheckpointResumeTests
{
    static readonly string[] Small =
    [
        "schedule.max_steps=12", "schedule.warmup_steps=3", "evaluation.every_steps=6", "evaluation.max_examples=8",
        "output.save_every_steps=6", "output.keep_last=3", "batching.max_tokens=300", "batching.accumulation_steps=2",
    ];

    static TempDir Setup()
    {
        var tmp = Paths.TempDir();
        TinyTask.Write(tmp.Path, trainCount: 200, devCount: 8, hidden: 32, dropout: 0.1);
        return tmp;
    }

    static Dictionary<string, float[]> Weights(string checkpoint)
    {
        using var model = Tandem.Modeling.Seq2SeqModels.FromPretrained(checkpoint);
        return SameWeights.Of(model.Module);
    }

    [Fact]
    public void SameConfigAndSeedGiveTheSameLossCurve()
    {
        using var tmp = Setup();
        var a = Trainer.Run(TinyTask.Config(tmp.Path, "a", Small));
        var b = Trainer.Run(TinyTask.Config(tmp.Path, "b", Small));
        Assert.Equal(12, a.LossCurve.Count);
        Assert.Equal(a.LossCurve, b.LossCurve);
        var c = Trainer.Run(TinyTask.Config(tmp.Path, "c", [.. Small, "seed=2"]));
        Assert.NotEqual(a.LossCurve, c.LossCurve);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.9)]
    public void InterruptedThenResumedEndsWithTheSameWeights(double emaDecay)
    {
        using var tmp = Setup();
        string[] settings = [.. Small, $"optimizer.ema_decay={emaDecay.ToString(System.Globalization.CultureInfo.InvariantCulture)}"];
        var straight = Trainer.Run(TinyTask.Config(tmp.Path, "straight", settings));

        using var cts = new CancellationTokenSource();
        var first = Trainer.Run(TinyTask.Config(tmp.Path, "split", settings), new TrainOptions
        {
            Cancellation = cts.Token,
            Progress = new StopAtStep(6, cts),
        });
        Assert.True(first.Cancelled);
        Assert.Equal(6, first.Steps);
        var second = Trainer.Run(TinyTask.Config(tmp.Path, "split", settings), new TrainOptions { Resume = true });
        Assert.Equal(12, second.Steps);
        Assert.Equal(emaDecay > 0, File.Exists(Path.Combine(second.LastCheckpoint!, WeightAverage.RawWeightsFile)));
        Assert.Equal(straight.LossCurve.Skip(6), second.LossCurve);

        SameWeights.Assert(Weights(straight.LastCheckpoint!), Weights(second.LastCheckpoint!));
    }

    [Fact]
    public void EveryCheckpointOfAResumedRunIsACompleteModelFolder()
    {
        // The config names a separate tokenizer folder; with keep_last=1 the checkpoint a run resumed from is
        // rotated away by the next save, and the checkpoints after it must still carry the tokenizer.
        using var tmp = Setup();
        string[] settings = [.. Small, "output.save_every_steps=3", "output.keep_last=1", "output.keep_best=0", "evaluation.every_steps=0"];
        using var cts = new CancellationTokenSource();
        var first = Trainer.Run(TinyTask.Config(tmp.Path, "run", settings), new TrainOptions { Cancellation = cts.Token, Progress = new StopAtStep(4, cts) });
        Assert.True(first.Cancelled);
        var seen = new List<string>();
        var second = Trainer.Run(TinyTask.Config(tmp.Path, "run", settings), new TrainOptions
        {
            Resume = true,
            BeforeCheckpointCommit = dir => seen.Add(string.Join(",", Directory.GetFiles(dir).Select(Path.GetFileName).Order())),
        });
        Assert.Equal(12, second.Steps);
        Assert.True(seen.Count >= 3, string.Join("; ", seen));
        foreach (var files in seen)
            foreach (var name in new[] { "vocab.txt", "tokenizer_config.json", "special_tokens_map.json", "config.json", "model.safetensors" })
                Assert.Contains(name, files.Split(','));
        using var pipeline = Tandem.Pipelines.Seq2SeqPipeline.Load(second.LastCheckpoint!);
        Assert.Single(pipeline.Generate(["a b c"], pipeline.Model.GenerationConfig));
    }

    [Fact]
    public void FailureDuringSaveLeavesThePreviousCheckpointWhole()
    {
        using var tmp = Setup();
        int saves = 0;
        var ex = Assert.Throws<Tandem.TandemException>(() => Trainer.Run(TinyTask.Config(tmp.Path, "crash", Small), new TrainOptions
        {
            BeforeCheckpointCommit = dir =>
            {
                if (++saves == 2)
                {
                    File.WriteAllText(Path.Combine(dir, "model.safetensors"), "truncated");   // a half-written file
                    throw new IOException("injected failure");
                }
            },
        }));
        Assert.Equal("checkpoint step-0000012 not written (injected failure); the last complete checkpoint is " +
                     Path.Combine(tmp.Path, "crash", "checkpoints", "step-0000006"), ex.Message);
        var store = new CheckpointStore(Path.Combine(tmp.Path, "crash"));
        var latest = store.Latest();
        Assert.EndsWith("step-0000006", latest);
        Assert.NotEmpty(Weights(latest!));
        var state = TrainerState.Load(latest!);
        Assert.Equal(6, state.Step);
        // and the run resumes from it, cleaning the leftover temporary folder
        var resumed = Trainer.Run(TinyTask.Config(tmp.Path, "crash", Small), new TrainOptions { Resume = true });
        Assert.Equal(12, resumed.Steps);
        Assert.Empty(Directory.GetDirectories(store.Root, ".tmp-*"));
    }

    [Fact]
    public void FreshRunRefusesAFolderWithCheckpoints()
    {
        using var tmp = Setup();
        Trainer.Run(TinyTask.Config(tmp.Path, "r", [.. Small, "schedule.max_steps=2", "evaluation.generate=false", "evaluation.metric=loss"]));
        var e = Assert.Throws<Tandem.TandemException>(() => Trainer.Run(TinyTask.Config(tmp.Path, "r", [.. Small, "schedule.max_steps=2"])));
        Assert.Contains("output.dir", e.Message);
    }
}

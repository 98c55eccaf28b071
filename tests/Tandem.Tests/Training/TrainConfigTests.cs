using Tandem.Tests.TestSupport;
using Tandem.Training;
using Tandem.Training.Optimization;

namespace Tandem.Tests.Training;

public class TrainConfigTests
{
    const string Minimal = """{ "model": { "path": "m" }, "data": { "splits": { "train": "t.jsonl" } } }""";

    static string Error(string json, params string[] overrides) =>
        Assert.Throws<TandemException>(() => TrainConfigLoader.Parse(json, overrides)).Message;

    [Fact]
    public void UnknownKeysNameTheirPath()
    {
        Assert.StartsWith("optimizer.lrr: unknown key", Error(Minimal, "optimizer.lrr=1"));
        Assert.StartsWith("modle: unknown key", Error("""{ "modle": {} }"""));
    }

    [Fact]
    public void BadValuesNameTheirPath()
    {
        Assert.Equal("optimizer.lr: must be > 0 (got -1)", Error(Minimal, "optimizer.lr=-1"));
        Assert.StartsWith("schedule.decay: must be linear, cosine or constant", Error(Minimal, "schedule.decay=step"));
        Assert.StartsWith("optimizer.lr: wrong type", Error(Minimal, "optimizer.lr=fast"));
        Assert.StartsWith("data.train_split:", Error(Minimal, "data.train_split=other"));
        Assert.StartsWith("evaluation.metric:", Error(Minimal, "evaluation.metric=rouge"));
    }

    [Fact]
    public void MissingFileIsAnError()
    {
        var e = Assert.Throws<TandemException>(() => TrainConfigLoader.Load("/nonexistent/train.yaml"));
        Assert.Contains("config file not found", e.Message);
    }

    [Fact]
    public void OverridesAndYamlAndResolvedConfig()
    {
        using var tmp = Paths.TempDir();
        File.WriteAllText(tmp["c.yaml"], """
            seed: 3
            model:
              encoder: random:enc.json
              decoder: random:dec.json
              tokenizer: tok
            data:
              splits: { train: a.tsv, dev: "b.csv" }
            optimizer:
              lr: 3e-4
            schedule: { decay: cosine, warmup_ratio: 0.1 }
            """);
        var c = TrainConfigLoader.Load(tmp["c.yaml"], ["optimizer.lr=1e-5", "data.splits.test=c.jsonl", "output.keep_last=2"]);
        Assert.Equal(3, c.Seed);
        Assert.Equal(1e-5, c.Optimizer.Lr);
        Assert.Equal("cosine", c.Schedule.Decay);
        Assert.Equal(3, c.Data.Splits.Count);
        Assert.Equal(2, c.Output.KeepLast);
        var json = TrainConfigLoader.ToJson(c);
        Assert.Equal(json, TrainConfigLoader.ToJson(TrainConfigLoader.Parse(json)));
    }

    [Fact]
    public void ScheduleWarmsUpThenDecays()
    {
        var lin = new LearningRateSchedule(10, 110, "linear");
        Assert.Equal(0.0, lin.Factor(0));
        Assert.Equal(0.5, lin.Factor(5));
        Assert.Equal(1.0, lin.Factor(10));
        Assert.Equal(0.5, lin.Factor(60));
        Assert.Equal(0.0, lin.Factor(110));
        var cos = new LearningRateSchedule(0, 100, "cosine");
        Assert.Equal(0.5, cos.Factor(50), 12);
    }

    [Fact]
    public void ATimeBudgetDrivesAWarmUpRatioAsWellAsDecay()
    {
        // warmup_ratio 0.05 of 3000 steps, but the time budget ends the run after about 100 steps: warm-up follows time.
        var s = LearningRateSchedule.From(new ScheduleSection { WarmupRatio = 0.05, Decay = "linear" }, 3000);
        Assert.Equal(0.5, s.Factor(10, timeFraction: 0.025), 12);   // half of the 5 % warm-up spent, by time
        Assert.Equal(1.0, s.Factor(40, timeFraction: 0.05), 12);    // warm-up over by time, at step 40 < 150
        Assert.Equal(0.5, s.Factor(60, timeFraction: 0.525), 12);   // half of the decay spent, by time
        Assert.Equal(0.0, s.Factor(100, timeFraction: 1.0), 12);    // the budget's end is the schedule's end
        Assert.Equal(0.5, s.Factor(75), 12);                        // without a budget, steps: 75 of 150
        Assert.Equal(s.Factor(1575), s.Factor(1575, timeFraction: 0.01)); // time behind the steps changes nothing
        var constant = LearningRateSchedule.From(new ScheduleSection { WarmupRatio = 0.05, Decay = "constant" }, 3000);
        Assert.Equal(1.0, constant.Factor(20, timeFraction: 0.5));
    }

    [Fact]
    public void AWarmUpInStepsStaysInStepsUnderATimeBudget()
    {
        // Pre-training's shape: 50 warm-up steps, max_steps far away, the minutes end the run.
        var s = LearningRateSchedule.From(new ScheduleSection { WarmupSteps = 50, WarmupRatio = 0.5, Decay = "linear" }, 1_000_000);
        Assert.Equal(0.5, s.Factor(25, timeFraction: 0.3), 12);     // still warming up at step 25, whatever the clock
        Assert.Equal(0.7, s.Factor(60, timeFraction: 0.3), 12);     // then decay follows the spent time
    }
}

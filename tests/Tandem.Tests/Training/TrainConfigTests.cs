using Tandem.Tests.TestSupport;
using Tandem.Training;

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
    public void ATimeBudgetDrivesWarmUpAsWellAsDecay()
    {
        // 150 warm-up steps of 3000, but the time budget ends the run after about 100 steps: warm-up follows time.
        var s = new LearningRateSchedule(150, 3000, "linear");
        Assert.Equal(0.5, s.Factor(10, timeFraction: 0.025), 12);   // half of the 5 % warm-up spent, by time
        Assert.Equal(1.0, s.Factor(40, timeFraction: 0.05), 12);    // warm-up over by time, at step 40 < 150
        Assert.Equal(0.5, s.Factor(60, timeFraction: 0.525), 12);   // half of the decay spent, by time
        Assert.Equal(0.0, s.Factor(100, timeFraction: 1.0), 12);    // the budget's end is the schedule's end
        Assert.Equal(s.Factor(75), s.Factor(75, timeFraction: 0.001)); // time behind the steps changes nothing
        Assert.Equal(1.0, new LearningRateSchedule(150, 3000, "constant").Factor(20, timeFraction: 0.5));
    }
}

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
}

using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Reliability;

/// <summary>Training configs and what they name, as <c>tandem train</c> meets them: each is one clear line and leaves
/// no run folder behind (the run would stop at setup, so none is started).</summary>
[Trait("Category", "Reliability")]
public sealed class TrainInputTests
{
    /// <summary>A valid one-step config for the tiny model, with <paramref name="data"/> as the train split.</summary>
    static string Yaml(TempDir t, string? data = null) => $"""
        model:
          path: {BadInput.Seq2Seq}
        data:
          splits:
            train: {data ?? BadInput.Write(t, "train.jsonl", "{\"source\": \"the cat\", \"target\": \"a dog\"}\n")}
        schedule:
          max_steps: 1
        evaluation:
          metric: loss
        output:
          dir: {t["run"]}
          plots: false
        """;

    static BadInputCase Train(TempDir t, string config, string[] sets, params string[] expect) =>
        new(["train", "--config", config, .. sets.SelectMany(s => new[] { "--set", s })], expect, NoFolder: t["run"]);

    static BadInputCase TrainYaml(TempDir t, string[] sets, params string[] expect) => Train(t, BadInput.Write(t, "train.yaml", Yaml(t)), sets, expect);

    static readonly Dictionary<string, Func<TempDir, BadInputCase>> Cases = new()
    {
        ["a config file that does not exist"] = t => Train(t, t["nowhere.yaml"], [], "nowhere.yaml: config file not found"),
        ["YAML with an unclosed bracket"] = t => Train(t, BadInput.Write(t, "bad.yaml", "model:\n  path: [unclosed\n"), [], "bad.yaml:3: invalid YAML"),
        ["YAML with a key twice"] = t => Train(t, BadInput.Write(t, "dup.yaml", "model:\n  path: a\n  path: b\n"), [], "dup.yaml", "Duplicate key"),
        ["YAML that is a list"] = t => Train(t, BadInput.Write(t, "list.yaml", "- model\n- data\n"), [], "list.yaml: the config must be an object of sections"),
        ["JSON cut in the middle"] = t => Train(t, BadInput.Write(t, "cut.json", "{\"model\": "), [], "cut.json:1: invalid JSON"),
        ["an unknown key (optimizer.lrr)"] = t => TrainYaml(t, ["optimizer.lrr=1"], "optimizer.lrr: unknown key"),
        ["a value of the wrong type (lr: fast)"] = t => TrainYaml(t, ["optimizer.lr=fast"], "optimizer.lr: wrong type: expected Double"),
        ["a negative learning rate"] = t => TrainYaml(t, ["optimizer.lr=-1"], "optimizer.lr: must be > 0 (got -1)"),
        ["beta2 of 1.5"] = t => TrainYaml(t, ["optimizer.beta2=1.5"], "optimizer.beta2: must be in [0, 1)"),
        ["a section given as a value"] = t => TrainYaml(t, ["optimizer=3"], "optimizer: must be a section"),
        ["--set without ="] = t => TrainYaml(t, ["nonsense"], "--set nonsense: expected KEY.PATH=VALUE"),
        ["a train file that does not exist"] = t => TrainYaml(t, [$"data.splits.train={t["nowhere.jsonl"]}"], "nowhere.jsonl: data file not found"),
        ["a train file that is not UTF-8"] = t => TrainYaml(t, [$"data.splits.train={BadInput.WriteBytes(t, "latin1.jsonl", [.. "{\"source\": \"caf"u8, 0xE9, .. "\", \"target\": \"x\"}\n"u8])}"], "latin1.jsonl:1: not valid UTF-8"),
        ["a train file of 0 bytes"] = t => TrainYaml(t, [$"data.splits.train={BadInput.Write(t, "empty.jsonl", "")}"], "empty.jsonl: no (source, target) pairs"),
        ["a model folder that does not exist"] = t => TrainYaml(t, [$"model.path={t["nowhere"]}"], "nowhere", "neither a folder nor a known embedded model"),
        ["a plain BERT as model.path"] = t => TrainYaml(t, [$"model.path={BadInput.Bert(t["bert"])}"], "a plain BERT checkpoint, not a seq2seq model"),
        ["output.dir naming a file"] = t => { var f = BadInput.Write(t, "afile", "x"); return TrainYaml(t, [$"output.dir={f}"], "output.dir:", "is a file, not a folder") with { NoFolder = null }; },
    };

    public static TheoryData<string> Names => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void IsOneClearErrorAndNoRunFolder(string name) => BadInput.Check("train config", name, Cases[name]);
}

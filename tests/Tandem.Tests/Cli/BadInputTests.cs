using System.Text.Json.Nodes;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Cli;

/// <summary>Each bad input gives one line naming the file, key or value, a non-zero exit code, no stack trace.</summary>
public class BadInputTests
{
    [Fact]
    public void ExperimentRefusesDevEvaluationOfAModelTrainedOnDevAndUnknownProtocols()
    {
        using var tmp = Paths.TempDir();
        string[] common = ["experiment", "geoquery", "--data", Paths.Shared("data", "text2sql-data"), "--run-dir", tmp["runs"], "--results-dir", tmp["rows"], "--results", tmp["R.md"]];
        CliRunner.AssertOneLineError(CliRunner.Run([.. common, "--eval-split", "dev"]), "--train-on train");
        CliRunner.AssertOneLineError(CliRunner.Run([.. common, "--train-on", "dev"]), "--train-on must be train or train+dev", "'dev'");
        Assert.False(Directory.Exists(tmp["rows"]));
    }

    [Fact]
    public void FolderWithoutConfig()
    {
        using var tmp = Paths.TempDir();
        CliRunner.AssertOneLineError(CliRunner.Run("info", "--model", tmp.Path), "config.json", "not found");
    }

    [Fact]
    public void FolderWithoutWeights()
    {
        using var tmp = Paths.TempDir();
        File.Copy(Paths.Reference(Reference.Eos, "encoder", "config.json"), tmp["config.json"]);
        CliRunner.AssertOneLineError(CliRunner.Run("info", "--model", tmp.Path), "no weights found", "model.safetensors");
    }

    [Fact]
    public void TruncatedSafetensors()
    {
        using var tmp = Paths.TempDir();
        var dir = TinyBert.Encoder(tmp["m"]);
        var bytes = File.ReadAllBytes(Path.Combine(dir, "model.safetensors"));
        File.WriteAllBytes(Path.Combine(dir, "model.safetensors"), bytes[..(bytes.Length - 100)]);
        CliRunner.AssertOneLineError(CliRunner.Run("info", "--model", dir), "model.safetensors", "truncated");
    }

    [Fact]
    public void CorruptSafetensorsHeader()
    {
        using var tmp = Paths.TempDir();
        var dir = TinyBert.Encoder(tmp["m"]);
        var path = Path.Combine(dir, "model.safetensors");
        var bytes = File.ReadAllBytes(path);
        bytes[10] = (byte)'#';                                         // inside the JSON header
        File.WriteAllBytes(path, bytes);
        CliRunner.AssertOneLineError(CliRunner.Run("info", "--model", dir), "model.safetensors", "corrupt safetensors header");
        BitConverter.GetBytes(long.MaxValue / 2).CopyTo(bytes, 0);    // absurd header length
        File.WriteAllBytes(path, bytes);
        CliRunner.AssertOneLineError(CliRunner.Run("info", "--model", dir), "corrupt safetensors header");
    }

    [Fact]
    public void TensorOfTheWrongShape()
    {
        using var tmp = Paths.TempDir();
        var dir = TinyBert.Encoder(tmp["m"]);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        config["intermediate_size"] = 40;
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString());
        CliRunner.AssertOneLineError(CliRunner.Run("info", "--model", dir), "encoder.layer.0.intermediate.dense.weight is [37, 32] in the checkpoint, the model expects [40, 32]");
    }

    [Fact]
    public void VocabSizeNotMatchingTheEmbeddings()
    {
        using var tmp = Paths.TempDir();
        var dir = TinyBert.Encoder(tmp["m"]);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        config["vocab_size"] = 120;
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString());
        CliRunner.AssertOneLineError(CliRunner.Run("info", "--model", dir), "embeddings.word_embeddings.weight", "vocab_size");
    }

    [Fact]
    public void TokenizerVocabNotMatchingTheEmbeddings()
    {
        using var tmp = Paths.TempDir();
        var dir = TinyBert.Encoder(tmp["m"]);
        TinyBert.WriteVocab(dir, 120);
        CliRunner.AssertOneLineError(CliRunner.Run("embed", "--model", dir, "the cat"), "vocab.txt", "120 tokens", "99 rows");
    }

    [Fact]
    public void UnknownActivation()
    {
        using var tmp = Paths.TempDir();
        var dir = TinyBert.Encoder(tmp["m"]);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        config["hidden_act"] = "swiglu";
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString());
        CliRunner.AssertOneLineError(CliRunner.Run("info", "--model", dir), "config.json", "hidden_act", "swiglu");
    }

    [Fact]
    public void EmptyText()
    {
        CliRunner.AssertOneLineError(CliRunner.Run("embed", "--model", "minilm", "fine", " "), "input 2 is empty");
    }

    [Fact]
    public void StackTraceOnlyWithVerbose()
    {
        using var tmp = Paths.TempDir();
        var r = CliRunner.Run("info", "--model", tmp.Path, "--verbose");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("   at ", r.Stderr);
    }

    [Fact]
    public void UnknownModelName()
    {
        CliRunner.AssertOneLineError(CliRunner.Run("embed", "--model", "bert-base-nope", "hi"), "bert-base-nope");
    }
}

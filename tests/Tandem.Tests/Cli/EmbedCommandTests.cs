using System.Text.Json.Nodes;
using Tandem.Embeddings;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Cli;

public class EmbedCommandTests
{
    static float[] Vector(string jsonLine) =>
        JsonNode.Parse(jsonLine)!["embedding"]!.AsArray().Select(x => x!.GetValue<float>()).ToArray();

    [Fact]
    public void RanksAParaphraseAboveAnUnrelatedSentence()
    {
        var r = CliRunner.Run("embed", "--model", "minilm",
            "Someone plays an instrument.", "A man is playing a guitar.", "The stock market fell sharply.");
        Assert.Equal(0, r.ExitCode);
        var lines = r.StdoutLines;
        Assert.Equal(3, lines.Length);
        Assert.Equal("Someone plays an instrument.", JsonNode.Parse(lines[0])!["text"]!.GetValue<string>());
        var (q, guitar, stocks) = (Vector(lines[0]), Vector(lines[1]), Vector(lines[2]));
        Assert.Equal(384, q.Length);
        Assert.True(SentenceEmbedder.Cosine(q, guitar) > SentenceEmbedder.Cosine(q, stocks) + 0.2);
    }

    [Fact]
    public void Bf16EmbeddingsStayWithinBf16ErrorOfFloat32()
    {
        string[] texts = ["Someone plays an instrument.", "A man is playing a guitar.", "The stock market fell sharply."];
        var float32 = CliRunner.Run(["embed", .. texts]);
        var bf16 = CliRunner.Run(["embed", "--precision", "bf16", .. texts]);
        Assert.True(bf16.ExitCode == 0, bf16.Stderr);
        Assert.Equal(float32.Stdout, CliRunner.Run(["embed", "--precision", "fp32", .. texts]).Stdout);   // fp32 is the default
        for (int i = 0; i < texts.Length; i++)
        {
            var (a, b) = (Vector(float32.StdoutLines[i]), Vector(bf16.StdoutLines[i]));
            double cosine = SentenceEmbedder.Cosine(a, b);
            Assert.True(cosine is > 0.995 and < 0.999999, $"text {i}: cosine {cosine} between bf16 and float32 embeddings");
        }
    }

    [Fact]
    public void OnnxRuntimeIsTheFloat32DefaultAndEqualsLibTorch()
    {
        string[] texts = ["Someone plays an instrument.", "A man is playing a guitar."];
        var byDefault = CliRunner.Run(["embed", .. texts]);
        var onnx = CliRunner.Run(["embed", "--runtime", "onnx", .. texts]);
        var libtorch = CliRunner.Run(["embed", "--runtime", "libtorch", .. texts]);
        Assert.True(libtorch.ExitCode == 0, libtorch.Stderr);
        Assert.Equal(byDefault.Stdout, onnx.Stdout);
        for (int i = 0; i < texts.Length; i++)
        {
            var (a, b) = (Vector(onnx.StdoutLines[i]), Vector(libtorch.StdoutLines[i]));
            Assert.True(a.Zip(b).Max(p => Math.Abs(p.First - p.Second)) < 1e-5, $"text {i}");
        }
        var mixed = CliRunner.Run(["embed", "--runtime", "onnx", "--precision", "bf16", .. texts]);
        Assert.Equal(onnx.Stdout, mixed.Stdout);                                                  // float32 whatever --precision says
        Assert.Contains("warning: ONNX Runtime computes in float32", mixed.Stderr);
        var bad = CliRunner.Run(["embed", "--runtime", "tensorflow", .. texts]);
        Assert.NotEqual(0, bad.ExitCode);
    }

    [Fact]
    public void ConvertsAnEncoderToOnnx()
    {
        using var tmp = Paths.TempDir();
        var r = CliRunner.Run("convert", "to-onnx", "--model", "minilm", "--out", tmp["minilm.onnx"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.StartsWith($"wrote {tmp["minilm.onnx"]}: bert encoder, 6 layers, hidden 384", r.Stdout);
        using var encoder = OnnxEncoder.FromFile(tmp["minilm.onnx"]);
        var (hidden, width) = encoder.Encode([101, 7592, 102], [1, 1, 1], null, 1, 3);
        Assert.Equal(384, width);
        Assert.All(hidden, x => Assert.True(float.IsFinite(x)));
        var again = CliRunner.Run("convert", "to-onnx", "--model", "minilm", "--out", tmp["minilm.onnx"]);
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("already exists", again.Stderr);
    }

    [Fact]
    public void ReadsStandardInputAndAFile()
    {
        var fromStdin = CliRunner.RunWithInput("A dog runs in the park.\nThe cat sleeps.\n", "embed");
        Assert.Equal(0, fromStdin.ExitCode);
        Assert.Equal(2, fromStdin.StdoutLines.Length);
        using var tmp = Paths.TempDir();
        File.WriteAllLines(tmp["in.txt"], ["A dog runs in the park.", "The cat sleeps."]);
        var fromFile = CliRunner.Run("embed", "--file", tmp["in.txt"]);
        Assert.Equal(0, fromFile.ExitCode);
        Assert.Equal(fromStdin.Stdout, fromFile.Stdout);
    }

    [Fact]
    public void TruncatesTextLongerThanThePositionsWithAWarning()
    {
        var text = string.Join(' ', Enumerable.Repeat(MiniLm.LongText, 3));     // ~900 tokens > 512 positions
        var r = CliRunner.Run("embed", text);
        Assert.Equal(0, r.ExitCode);
        Assert.Single(r.StdoutLines);
        Assert.Contains(r.StderrLines, l => l.StartsWith("warning: input 1 is longer than 512 tokens; truncated"));
    }

    [Fact]
    public void InfoDescribesMiniLm()
    {
        var r = CliRunner.Run("info", "--model", "minilm");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("6 layers, hidden 384, 12 heads", r.Stdout);
        Assert.Contains("parameters: 22,713,216", r.Stdout);
        Assert.Contains("[CLS]=101 [SEP]=102 [PAD]=0", r.Stdout);
    }
}

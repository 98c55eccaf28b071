using System.Text.Json;
using Tandem.Generation;
using TorchSharp;


namespace Tandem.Tests.Generation;

/// <summary>Replays the per-step logits that transformers 4.40 produced for tiny-bert2bert-eos greedy search
/// (max_length 12) and checks the greedy loop reproduces its sequences: argmax, EOS, padding, stopping.</summary>
public sealed class ReferenceReplayTests
{
    private static string ReferencePath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Tandem.slnx"))) dir = dir.Parent;
        Assert.NotNull(dir);
        return Path.Combine(dir.FullName, "..", "shared", "reference", "tiny-bert2bert-eos", "reference.json");
    }

    private sealed class ReplayModel(float[][][] steps) : IGenerativeModel
    {
        public IDecodingSession StartDecoding(torch.Tensor inputIds, torch.Tensor attentionMask, bool useCache = true) =>
            new ReplaySession(steps);
    }

    private sealed class ReplaySession(float[][][] steps) : IDecodingSession
    {
        public torch.Tensor NextLogits(torch.Tensor sequences)
        {
            var step = steps[sequences.shape[1] - 1];                                  // [rows][vocab]
            return torch.tensor(step.SelectMany(r => r).ToArray(), [step.Length, step[0].Length]);
        }

        public void Reorder(torch.Tensor rowIndices) => throw new InvalidOperationException("greedy never reorders");

        public void Dispose() { }
    }

    [Fact]
    public void Greedy_ReproducesTransformersSequences()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(ReferencePath()));
        var greedy = doc.RootElement.GetProperty("greedy");
        var steps = greedy.GetProperty("step_scores").Deserialize<float[][][]>()!;
        var expected = greedy.GetProperty("sequences").Deserialize<long[][]>()!;
        var config = GenerationConfig.Load(Path.Combine(Path.GetDirectoryName(ReferencePath())!, "generation_config.json"));
        config.MaxLength = 12;
        config.OutputScores = true;

        var (ids, mask) = ScriptedModel.Inputs(2);
        var output = Generator.Generate(new ReplayModel(steps), ids, mask, config);

        Assert.Equal(expected, output.Sequences);
        Assert.Equal(steps.Length, output.Scores!.Count);
        Assert.Equal(steps[3][1], output.Scores[3][1]);
    }
}

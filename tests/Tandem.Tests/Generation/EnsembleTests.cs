using Tandem.Generation;
using Tandem.Pipelines;
using Tandem.Tests.Models.PrefixLM;
using Tandem.Tests.TestSupport;
using static TorchSharp.torch;

namespace Tandem.Tests.Generation;

/// <summary>Decoding with several models at once: the mean of their distributions at every step.</summary>
[Collection(SequentialCollection.Name)]
public sealed class EnsembleTests
{
    static (Tensor Ids, Tensor Mask) Sources() => TinyPrefixLM.Pack([TinyPrefixLM.Source([5, 6, 7, 8]), TinyPrefixLM.Source([9, 10])]);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void AModelTwiceDecodesAsTheModelAlone(int beams)
    {
        using var model = TinyPrefixLM.Create(seed: 1);
        model.eval();
        var (ids, mask) = Sources();
        var config = TinyPrefixLM.Config(beams);
        config.OutputScores = true;
        var alone = Tandem.Generation.Generator.Generate(model, ids, mask, config);
        var twice = Tandem.Generation.Generator.Generate(new Ensemble([model, model]), ids, mask, config);
        Assert.Equal(alone.Sequences, twice.Sequences);
        if (beams > 1) Assert.Equal(alone.SequencesScores!, twice.SequencesScores!, new Close(1e-5f));
    }

    [Fact]
    public void EachStepIsTheLogOfTheMeanProbability()
    {
        using var a = TinyPrefixLM.Create(seed: 1);
        using var b = TinyPrefixLM.Create(seed: 2);
        a.eval();
        b.eval();
        var (ids, mask) = Sources();
        using var _ = no_grad();
        using var sa = a.StartDecoding(ids, mask);
        using var sb = b.StartDecoding(ids, mask);
        using var se = new Ensemble([a, b]).StartDecoding(ids, mask);
        var start = full(2, 1, TinyPrefixLM.Sep, ScalarType.Int64);                       // [rows, 1]
        var expected = ((sa.NextLogits(start).softmax(-1) + sb.NextLogits(start).softmax(-1)) / 2).log();
        var got = se.NextLogits(start);
        Assert.True(got.allclose(expected, rtol: 1e-4, atol: 1e-5));
        var next = cat([start, got.argmax(-1, keepdim: true)], 1);                        // [rows, 2]
        var expected2 = ((sa.NextLogits(next).softmax(-1) + sb.NextLogits(next).softmax(-1)) / 2).log();
        Assert.True(se.NextLogits(next).allclose(expected2, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void AnEnsembleNeedsAMemberAndOneVocabulary()
    {
        Assert.Throws<TandemException>(() => new Ensemble([]));
        using var tmp = Paths.TempDir();
        foreach (var (name, seed) in new[] { ("one", 1), ("other", 2) })
        {
            using var m = TinyPrefixLM.Create(seed);
            m.SavePretrained(tmp[name]);
            TinyBert.WriteVocab(tmp[name], size: 40);
        }
        using (var both = Seq2SeqPipeline.Load([tmp["one"], tmp["other"]]))
        {
            Assert.Equal(2, both.Models.Count);
            Assert.Single(both.Generate(["the cat sat"], TinyPrefixLM.Config(beams: 2)));
        }
        File.WriteAllLines(Path.Combine(tmp["other"], "vocab.txt"), File.ReadAllLines(Path.Combine(tmp["other"], "vocab.txt")).Reverse());
        var e = Assert.Throws<TandemException>(() => Seq2SeqPipeline.Load([tmp["one"], tmp["other"]]));
        Assert.Contains("vocab.txt differs", e.Message);
    }

    sealed class Close(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}

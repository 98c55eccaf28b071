using System.Diagnostics;
using TorchSharp;
using Tandem.Modeling;
using Xunit.Abstractions;
using static TorchSharp.torch;
using static Tandem.Tests.Models.PrefixLM.TinyPrefixLM;

namespace Tandem.Tests.Models.PrefixLM;

/// <summary>A tiny UniLM trained only through <see cref="ISeq2SeqModel.Forward"/> learns to reverse sequences.</summary>
public class PrefixLMTrainingTests(ITestOutputHelper log)
{
    const int FirstSymbol = 3, Symbols = 10;

    static long[] RandomBody(Random rng) =>
        Enumerable.Range(0, rng.Next(2, 6)).Select(_ => (long)(FirstSymbol + rng.Next(Symbols))).ToArray();

    [Fact]
    public void ATinyUniLMLearnsToReverseSequences()
    {
        var clock = Stopwatch.StartNew();
        ISeq2SeqModel model = Create(seed: 1, vocab: FirstSymbol + Symbols, hidden: 64, layers: 2, heads: 4, initRange: 0.02, maxPositions: 16);
        using var _ = model;
        var rng = new Random(1);
        using var optimizer = optim.AdamW(model.Module.parameters(), lr: 2e-3, weight_decay: 0.01);
        model.Module.train();
        const int steps = 500, batch = 64;
        double lastLoss = double.NaN;
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            var bodies = Enumerable.Range(0, batch).Select(_ => RandomBody(rng)).ToArray();
            var (ids, mask) = Pack(bodies.Select(b => Source(b)).ToArray());
            var (labels, _) = Pack(bodies.Select(b => (long[])[.. b.Reverse(), Sep]).ToArray(), Seq2SeqLabels.IgnoreIndex);
            optimizer.zero_grad();
            using var output = model.Forward(new Seq2SeqInput { InputIds = ids, AttentionMask = mask, Labels = labels });
            output.Loss!.backward();
            optimizer.step();
            if (step % 100 == 99) log.WriteLine($"step {step + 1}: loss {lastLoss = output.Loss.item<float>():F4} ({clock.Elapsed.TotalSeconds:F1} s)");
        }
        model.Module.eval();
        var test = Enumerable.Range(0, 100).Select(_ => RandomBody(rng)).ToArray();
        var (testIds, testMask) = Pack(test.Select(b => Source(b)).ToArray());
        using var _i = testIds;
        using var _m = testMask;
        var generated = Tandem.Generation.Generator.Generate(model, testIds, testMask, Config(maxNewTokens: 8), useCache: true);
        int exact = 0;
        for (int i = 0; i < test.Length; i++)
        {
            var want = (long[])[Sep, .. test[i].Reverse(), Sep];
            if (generated.Sequences[i].Take(want.Length).SequenceEqual(want)) exact++;        // pads only after the [SEP]
        }
        log.WriteLine($"exact match {exact}/100, final loss {lastLoss:F4}, {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(exact >= 90, $"exact match {exact}/100 (final loss {lastLoss:F4})");
    }
}

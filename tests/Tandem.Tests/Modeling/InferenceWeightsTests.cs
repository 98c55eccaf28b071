using Tandem.Generation;
using Tandem.Modeling;
using Tandem.Native;
using Tandem.Tests.TestSupport;
using static TorchSharp.torch;

namespace Tandem.Tests.Modeling;

/// <summary>bf16 weights held for a decoding session: the same numbers as converting at every product, freed when the
/// last hold ends, never used while gradients are recorded; and bf16 decoding of the reference models against
/// transformers' float32 generations.</summary>
public class InferenceWeightsTests
{
    [Fact]
    public void HeldWeightsGiveTheSameLogitsAsConvertingAtEveryProduct()
    {
        var r = Reference.Load(Reference.Eos);
        using var model = ReferenceRuns.Load(r.Dir);
        using var noGrad = no_grad();
        using var precision = Autocast.Enter(ScalarType.BFloat16);
        using var converting = ReferenceRuns.Forward(model, r, decoderMask: true).Logits;
        Tensor held;
        using (InferenceWeights.Hold(model, ScalarType.BFloat16))
        {
            held = ReferenceRuns.Forward(model, r, decoderMask: true).Logits;
            Assert.True(Layers(model).Count(l => l.Cast.Made) >= 12, "the forward pass made few bf16 copies");
        }
        Assert.DoesNotContain(Layers(model), l => l.Cast.Made);
        using (held) Assert.True(converting.eq(held).all().item<bool>(), "held bf16 weights changed the logits");
        using var fp32 = Autocast.Enter(null);
        using var float32 = ReferenceRuns.Forward(model, r, decoderMask: true).Logits;
        Assert.False(converting.eq(float32).all().item<bool>(), "bf16 products gave float32's logits: the scope did nothing");
    }

    [Fact]
    public void HoldsNestAndTheLastReleaseFreesTheCopies()
    {
        var r = Reference.Load(Reference.Plain);
        using var model = ReferenceRuns.Load(r.Dir);
        var layer = Layers(model).First();
        using var noGrad = no_grad();
        var outer = InferenceWeights.Hold(model, ScalarType.BFloat16);
        var inner = InferenceWeights.Hold(model, ScalarType.BFloat16);
        var first = layer.Cast.For(ScalarType.BFloat16, () => (ones(4, 4), null))!.Value.Weight;
        Assert.Equal(ScalarType.BFloat16, first.dtype);
        Assert.Null(layer.Cast.For(ScalarType.Float16, () => (ones(4, 4), null)));          // held in another dtype
        inner.Dispose();
        inner.Dispose();                                                                     // a second dispose is a no-op
        Assert.Same(first, layer.Cast.For(ScalarType.BFloat16, () => (ones(4, 4), null))!.Value.Weight);
        outer.Dispose();
        Assert.Null(layer.Cast.For(ScalarType.BFloat16, () => (ones(4, 4), null)));
        Assert.True(first.IsInvalid, "the last release did not free the copy");
        using var none = InferenceWeights.Hold(model, null);                                // float32: holds nothing
        Assert.Null(layer.Cast.For(ScalarType.BFloat16, () => (ones(4, 4), null)));
    }

    [Fact]
    public void ProductsThatRecordGradientsNeverReadTheCopies()
    {
        var r = Reference.Load(Reference.Plain);
        using var model = ReferenceRuns.Load(r.Dir);
        using var held = InferenceWeights.Hold(model, ScalarType.BFloat16);
        var layer = Layers(model).First();
        Assert.Null(layer.Cast.For(ScalarType.BFloat16, () => throw new InvalidOperationException("copied under autograd")));
    }

    [Fact]
    public void TheCopiesOfOneHoldLieInOneBlockInTheWeightsLayouts()
    {
        var r = Reference.Load(Reference.Plain);
        using var model = ReferenceRuns.Load(r.Dir);
        using var noGrad = no_grad();
        using var held = InferenceWeights.Hold(model, ScalarType.BFloat16);
        var layers = Layers(model);
        var copies = new List<(long Start, long Bytes)>();
        long all = 0;
        foreach (var layer in layers)
        {
            var (w, b) = layer.LinearWeights();
            all += (w.NumberOfElements + (b?.NumberOfElements ?? 0)) * 2;
            var (cw, cb) = layer.Cast.For(ScalarType.BFloat16, layer.LinearWeights)!.Value;
            Assert.True(cw.stride().SequenceEqual(w.stride()), "the copy's layout differs from the weight's");
            Assert.True(cw.eq(w.to(ScalarType.BFloat16)).all().item<bool>(), "the copy's values differ from the converted weight's");
            copies.Add((TensorBlock.Address(cw), cw.NumberOfElements * 2));
            if (cb is not null) copies.Add((TensorBlock.Address(cb), cb.NumberOfElements * 2));
        }
        copies.Sort();
        long span = copies[^1].Start + copies[^1].Bytes - copies[0].Start;
        Assert.InRange(span, copies.Sum(c => c.Bytes), all + 64L * 2 * layers.Count);   // one block: only alignment between them
    }

    /// <summary>bf16 greedy decoding picks transformers' float32 token at every step until the first step where
    /// float32's best two log-probabilities lie within bf16's error of each other (these tiny random models have
    /// such near ties; a trained model rarely does); what follows such a tie is a different prefix and not compared.</summary>
    [Theory]
    [InlineData(Reference.Eos)]
    [InlineData(Reference.Plain)]
    public void Bf16GreedyDecodingFollowsFloat32UpToANearTie(string name)
    {
        var r = Reference.Load(name);
        using var model = ReferenceRuns.Load(r.Dir);
        var config = ReferenceRuns.Config(model, c =>
        {
            c.MaxLength = 12;
            c.OutputScores = true;
        });
        var float32 = ReferenceRuns.Generate(model, r, config);
        Assert.Equal(r.Rows("greedy.sequences"), float32.Sequences);
        GenerationOutput bf16;
        using (Autocast.Enter(ScalarType.BFloat16)) bf16 = ReferenceRuns.Generate(model, r, config);
        const double NearTie = 0.05;                                                         // nats; bf16 moves these log-probs by ~0.01
        int compared = 0;
        for (int row = 0; row < float32.Sequences.Length; row++)
            for (int step = 0; step < float32.Scores!.Count; step++)
            {
                var scores = float32.Scores[step][row];
                var top = scores.Select((v, i) => (v, i)).OrderByDescending(x => x.v).Take(2).ToArray();
                long expected = float32.Sequences[row][step + 1], got = bf16.Sequences[row][step + 1];
                if (top[0].i != expected) break;                                             // a finished row: padding after EOS
                if (got == expected)
                {
                    compared++;
                    Assert.True(Math.Abs(bf16.Scores![step][row][got] - scores[got]) < 0.1,
                        $"row {row}, step {step}: bf16 log-prob {bf16.Scores[step][row][got]} against float32 {scores[got]}");
                    continue;
                }
                Assert.True(top[0].v - top[1].v < NearTie,
                    $"row {row}, step {step}: bf16 chose {got}, float32 {expected} by a margin of {top[0].v - top[1].v:F3}");
                break;
            }
        Assert.True(compared >= float32.Sequences.Length * 5, $"only {compared} tokens compared before near ties");
    }

    static List<ICastWeightsLayer> Layers(TorchSharp.torch.nn.Module model) => model.modules().OfType<ICastWeightsLayer>().ToList();
}

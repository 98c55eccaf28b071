using Tandem.Kernels;

namespace Tandem.Tests.Kernels;

public class AdamWUpdateTests
{
    /// <summary>The update at both widths gives the same bits, whole registers and the scalar tail (no sums across
    /// lanes), so training's results do not depend on the processor's vectors; and it moves every parameter.</summary>
    [Fact]
    public void EveryWidthGivesTheSameBits()
    {
        const int n = 1000 + 13;
        var random = new Random(4);
        float[] Draw() => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var (param, grad, expAvg) = (Draw(), Draw(), Draw());
        var expAvgSq = Draw().Select(MathF.Abs).ToArray();
        var step = new AdamWStep(Decay: 0.999f, Beta1: 0.9f, Beta2: 0.98f, StepSize: 1e-3f, SqrtBiasCorrection2: 0.2f, Eps: 1e-6f,
            Maximize: false, GradScale: 0.5f);
        var narrow = (param.ToArray(), expAvg.ToArray(), expAvgSq.ToArray());
        var wide = (param.ToArray(), expAvg.ToArray(), expAvgSq.ToArray());

        AdamWUpdate.Apply<LanesVector>(narrow.Item1, grad, narrow.Item2, narrow.Item3, step);
        AdamWUpdate.Apply<Lanes512>(wide.Item1, grad, wide.Item2, wide.Item3, step);

        Assert.Equal(narrow.Item1, wide.Item1);
        Assert.Equal(narrow.Item2, wide.Item2);
        Assert.Equal(narrow.Item3, wide.Item3);
        Assert.All(Enumerable.Range(0, n), i => Assert.NotEqual(param[i], narrow.Item1[i]));
    }
}

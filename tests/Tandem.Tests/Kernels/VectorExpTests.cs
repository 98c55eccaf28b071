using Tandem.Kernels;

namespace Tandem.Tests.Kernels;

public class VectorExpTests
{
    /// <summary>Within one unit in the last place of the correctly rounded float32 exponential (float64's, rounded)
    /// over its range, -87.3 to 88, stepped finely near 0 where softmax values live; below the range it gives 0 (never
    /// a subnormal, a NaN or infinity: a logit that far below its row's maximum gets exactly no weight); at both widths.</summary>
    [Fact]
    public void IsWithinOneUlpOverItsRange()
    {
        IsWithinOneUlp<LanesVector>();
        IsWithinOneUlp<Lanes512>();                                                            // emulated where AVX-512 is not
    }

    static void IsWithinOneUlp<TLanes>() where TLanes : struct, ILanes<TLanes>
    {
        var lanes = new float[TLanes.Count];
        var result = new float[TLanes.Count];
        double worst = 0;
        for (double start = VectorExp.MinArgument; start < 88; start += (Math.Abs(start) < 2 ? 1e-4 : 7.3e-3) * lanes.Length)
        {
            for (int k = 0; k < lanes.Length; k++) lanes[k] = (float)Math.Min(88, start + k * (Math.Abs(start) < 2 ? 1e-4 : 7.3e-3));
            VectorExp.Exp(TLanes.Load(lanes)).Store(result);
            for (int k = 0; k < lanes.Length; k++)
            {
                float expected = (float)Math.Exp(lanes[k]);
                double ulp = MathF.BitIncrement(expected) - expected;
                worst = Math.Max(worst, Math.Abs(result[k] - Math.Exp(lanes[k])) / ulp);
            }
        }
        Assert.True(worst <= 1.0, $"{typeof(TLanes).Name}: worst error {worst:F3} ulp");

        Assert.Equal(0f, First(VectorExp.Exp(TLanes.Create(-1000f))));
        Assert.Equal(0f, First(VectorExp.Exp(TLanes.Create(float.MinValue))));
        Assert.True(float.IsNormal(First(VectorExp.Exp(TLanes.Create(VectorExp.MinArgument)))));
        Assert.True(float.IsNaN(First(VectorExp.Exp(TLanes.Create(float.NaN)))), "a NaN stays a NaN");
    }

    static float First<TLanes>(TLanes lanes) where TLanes : struct, ILanes<TLanes>
    {
        var values = new float[TLanes.Count];
        lanes.Store(values);
        return values[0];
    }
}

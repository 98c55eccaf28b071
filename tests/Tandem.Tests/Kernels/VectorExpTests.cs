using System.Numerics;
using Tandem.Kernels;

namespace Tandem.Tests.Kernels;

public class VectorExpTests
{
    /// <summary>Within one unit in the last place of the correctly rounded float32 exponential (float64's, rounded)
    /// over its range, -87.3 to 88, stepped finely near 0 where softmax values live; below the range it gives the
    /// value at its bottom, a normal number about 1.2e-38, never a NaN or infinity.</summary>
    [Fact]
    public void IsWithinOneUlpOverItsRange()
    {
        var lanes = new float[Vector<float>.Count];
        double worst = 0;
        for (double start = VectorExp.MinArgument; start < 88; start += (Math.Abs(start) < 2 ? 1e-4 : 7.3e-3) * lanes.Length)
        {
            for (int k = 0; k < lanes.Length; k++) lanes[k] = (float)Math.Min(88, start + k * (Math.Abs(start) < 2 ? 1e-4 : 7.3e-3));
            var result = VectorExp.Exp(new Vector<float>(lanes));
            for (int k = 0; k < lanes.Length; k++)
            {
                float expected = (float)Math.Exp(lanes[k]);
                double ulp = MathF.BitIncrement(expected) - expected;
                worst = Math.Max(worst, Math.Abs(result[k] - Math.Exp(lanes[k])) / ulp);
            }
        }
        Assert.True(worst <= 1.0, $"worst error {worst:F3} ulp");

        var below = VectorExp.Exp(new Vector<float>(-1000f))[0];
        Assert.True(float.IsNormal(below) && below < 1.2e-38f, $"exp(-1000) gave {below}");
        Assert.True(float.IsNaN(VectorExp.Exp(new Vector<float>(float.NaN))[0]), "a NaN stays a NaN");
    }
}

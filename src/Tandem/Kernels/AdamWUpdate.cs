using System.Runtime.CompilerServices;

namespace Tandem.Kernels;

/// <summary>The step's constants of one AdamW update (one parameter group at one step count).</summary>
/// <param name="Decay">The decoupled weight decay's factor, <c>1 - lr * weight_decay</c>.</param>
/// <param name="Beta1">The first moment's coefficient.</param>
/// <param name="Beta2">The second moment's coefficient.</param>
/// <param name="StepSize"><c>lr / (1 - beta1^step)</c>.</param>
/// <param name="SqrtBiasCorrection2"><c>sqrt(1 - beta2^step)</c>.</param>
/// <param name="Eps">The denominator's term.</param>
/// <param name="Maximize">Whether the gradient is negated (ascent).</param>
/// <param name="GradScale">A factor on the gradient, as <c>clip_grad_norm_</c> would have multiplied it by (1: none).</param>
internal readonly record struct AdamWStep(float Decay, float Beta1, float Beta2, float StepSize, float SqrtBiasCorrection2, float Eps,
    bool Maximize, float GradScale = 1f);

/// <summary>
/// One AdamW update of float32 values in a single pass: per element, <c>g = grad * scale; p *= decay; m = beta1 m + (1 - beta1) g;
/// v = beta2 v + (1 - beta2) g^2; p -= step_size * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)</c>, the arithmetic of
/// TorchSharp's <c>AdamW.step</c>, which runs it as nine libtorch operations per parameter (each a pass over memory,
/// two of them allocating). Reads parameter, gradient and both moments once and writes three of them once.
/// </summary>
internal static class AdamWUpdate
{
    /// <summary>Updates <paramref name="param"/>, <paramref name="expAvg"/> and <paramref name="expAvgSq"/> in place
    /// from <paramref name="grad"/> (all of one length).</summary>
    public static void Apply(Span<float> param, ReadOnlySpan<float> grad, Span<float> expAvg, Span<float> expAvgSq, in AdamWStep s)
    {
        if (Lanes.Wide) Apply<Lanes512>(param, grad, expAvg, expAvgSq, s);
        else Apply<LanesVector>(param, grad, expAvg, expAvgSq, s);
    }

    /// <summary>As <see cref="Apply(Span{float}, ReadOnlySpan{float}, Span{float}, Span{float}, in AdamWStep)"/>, at the
    /// width of <typeparamref name="TLanes"/>; every width gives the same bits (no sums across lanes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Apply<TLanes>(Span<float> param, ReadOnlySpan<float> grad, Span<float> expAvg, Span<float> expAvgSq, in AdamWStep s)
        where TLanes : struct, ILanes<TLanes>
    {
        if (grad.Length != param.Length || expAvg.Length != param.Length || expAvgSq.Length != param.Length)
            throw new ArgumentException("parameter, gradient and moments differ in length");
        float oneMinusBeta1 = 1 - s.Beta1, oneMinusBeta2 = 1 - s.Beta2, factor = (s.Maximize ? -1f : 1f) * s.GradScale;   // ±scale: the same rounding as scaling, then negating
        int i = 0, n = TLanes.Count;
        var decay = TLanes.Create(s.Decay);
        var beta1 = TLanes.Create(s.Beta1);
        var beta2 = TLanes.Create(s.Beta2);
        var rest1 = TLanes.Create(oneMinusBeta1);
        var rest2 = TLanes.Create(oneMinusBeta2);
        var stepSize = TLanes.Create(s.StepSize);
        var correction = TLanes.Create(s.SqrtBiasCorrection2);
        var eps = TLanes.Create(s.Eps);
        var factorV = TLanes.Create(factor);
        for (; i + n <= param.Length; i += n)
        {
            var g = TLanes.Load(grad[i..]) * factorV;
            var m = TLanes.Load(expAvg[i..]) * beta1 + g * rest1;
            var v = TLanes.Load(expAvgSq[i..]) * beta2 + g * g * rest2;
            var p = TLanes.Load(param[i..]) * decay;
            p -= stepSize * m / (TLanes.SquareRoot(v) / correction + eps);
            m.Store(expAvg[i..]);
            v.Store(expAvgSq[i..]);
            p.Store(param[i..]);
        }
        for (; i < param.Length; i++)
        {
            float g = grad[i] * factor;
            float m = expAvg[i] * s.Beta1 + g * oneMinusBeta1;
            float v = expAvgSq[i] * s.Beta2 + g * g * oneMinusBeta2;
            expAvg[i] = m;
            expAvgSq[i] = v;
            param[i] = param[i] * s.Decay - s.StepSize * m / (MathF.Sqrt(v) / s.SqrtBiasCorrection2 + s.Eps);
        }
    }
}

using System.Reflection;
using Tandem.Modeling;
using Tandem.Native;
using Tandem.Tests.TestSupport;
using Tandem.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Tests.Native;

public class ScalarsTests
{
    static readonly Lazy<TemporaryScalars> Scan = new(() => new TemporaryScalars());

    /// <summary>Tandem's assemblies beside the tests (the library, the CLI, the server and benchmarks it brings).</summary>
    static List<Assembly> TandemAssemblies() =>
        Directory.GetFiles(AppContext.BaseDirectory, "Tandem*.dll")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(name => !name!.EndsWith(".Tests", StringComparison.Ordinal))
            .Select(name => Assembly.Load(name!))
            .ToList();

    /// <summary>The one call that makes scalars inside on purpose: TorchSharp's own AdamW step, for parameters the fused
    /// step does not take, runs in a no-GC region (nothing is finalized before it returns).</summary>
    static bool Exempt(MethodBase m) =>
        m.DeclaringType == typeof(Scalars) || m.DeclaringType == typeof(FusedAdamW) && m.Name == nameof(FusedAdamW.step);

    [Fact]
    public void TandemMakesNoScalarOnTheSpotForALibtorchCall()
    {
        var assemblies = TandemAssemblies();
        Assert.Contains(typeof(Scalars).Assembly, assemblies);
        Assert.Contains(assemblies, a => a.GetName().Name == "Tandem.Cli");
        Assert.Contains(assemblies, a => a.GetName().Name == "Tandem.Server");
        var findings = assemblies.SelectMany(a => Scan.Value.Findings(a, Exempt)).ToList();
        Assert.True(findings.Count == 0, "scalars made on the spot (use Tandem.Native.Scalars):\n" + string.Join("\n", findings));
    }

    [Fact]
    public void TheScanFindsTorchSharpsTemporariesAndAnOperatorWithANumber()
    {
        Assert.True(Scan.Value.MakesScalars(typeof(Tensor).GetMethod(nameof(Tensor.add), [typeof(Tensor)])!));           // add(b) is add(b, 1)
        Assert.False(Scan.Value.MakesScalars(typeof(Tensor).GetMethod(nameof(Tensor.add), [typeof(Tensor), typeof(Scalar)])!));
        var findings = Scan.Value.Findings(typeof(ScalarsTests).Assembly, m => m.DeclaringType != typeof(Unsafe)).ToList();
        Assert.Equal(3, findings.Count);
        Assert.Contains(findings, f => f.Contains("ScalarsTests.cs:") && f.Contains("Unsafe.Sum") && f.Contains("op_Addition"));
        Assert.Contains(findings, f => f.Contains("Unsafe.Twice") && f.Contains("op_Multiply"));       // TorchSharp converts the number
        Assert.Contains(findings, f => f.Contains("Unsafe.Zeros") && f.Contains("op_Implicit"));       // the caller converts it
        Assert.DoesNotContain(findings, f => f.Contains("Unsafe..cctor"));                    // a scalar kept in a static field
    }

    static class Unsafe
    {
        public static readonly Scalar Two = 2.0;
        public static Tensor Sum(Tensor a, Tensor b) => a + b;
        public static Tensor Twice(Tensor a) => a * 2.0;
        public static Tensor Zeros(Tensor a) => a.eq(0);
    }

    [Fact]
    public void EachOperationEqualsTheTorchOperationItStandsFor()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { -2.5f, 0f, 1f, 3f });
        var n = tensor(new long[] { -2, 0, 1, 3 });
        Same(x + n.to(ScalarType.Float32), x.Add(n.to(ScalarType.Float32)));
        Same(x * 2, x.clone().AddInPlace(x));
        Same(n + 5, n.Add(5));                                                                  // integers stay integers
        Same(n - 1, n.Sub(1));
        Same(x - 0.5, x.Sub(0.5));
        Same(1 - n, Scalars.RSub(1, n));
        Same(1.0 - x, Scalars.RSub(1.0, x));
        Same(x * 0.5, x.Mul(0.5));
        Same(n * 3, n.Mul(3L));
        Same(x * 1.5, x.clone().MulInPlace(1.5));
        Same(x / 4.0, x.Div(4.0));
        Same(n.eq(1), n.Eq(1));
        Same(n.ne(1), n.Ne(1));
        Same(x < 0, x.Lt(0));
        Same(x <= 1, x.Le(1));
        Same(x > 0, x.Gt(0));
        Same(n >= 1, n.Ge(1));
        Same(x.masked_fill(x < 0, -9.0), x.MaskedFill(x.Lt(0), -9.0));
        Same(n.masked_fill(n < 0, 7), n.MaskedFill(n.Lt(0), 7L));
        Same(x.masked_fill(x > 0, 1.0), x.clone().MaskedFillInPlace(x.Gt(0), 1.0));
        Same(x.clamp_min(0.0), x.ClampMin(0.0));
        Same(n.clamp_min(0), n.ClampMin(0L));
        Same(full_like(x, 2.0), x.clone().FillInPlace(2.0));
        Same(full(2, 3, 7, ScalarType.Int64), Scalars.Full([2, 3], 7, ScalarType.Int64));
        Same(arange(2, 6, ScalarType.Int64), Scalars.Arange(2, 6));
        Same(x.masked_fill(x < 0, float.NegativeInfinity), x.masked_fill(x.Lt(0), Scalars.NegativeInfinity));
    }

    static void Same(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(expected.eq(actual).all().item<bool>(), $"expected {expected.str()}, got {actual.str()}");
    }

    [Theory]
    [InlineData("quick_gelu")]
    [InlineData("leaky_relu")]
    [InlineData("mish")]
    public void ActivationsWithNumbersEqualTorchSharpsOwn(string name)
    {
        using var scope = NewDisposeScope();
        var x = linspace(-30, 30, 241);
        var expected = name switch
        {
            "quick_gelu" => x * (x * 1.702).sigmoid(),
            "leaky_relu" => nn.functional.leaky_relu(x, 0.01),
            _ => nn.functional.mish(x),
        };
        var actual = Activations.Apply(name, x);
        Assert.True(actual.allclose(expected, rtol: 1e-6, atol: 1e-7), $"{name}: largest difference {(actual - expected).abs().max().item<float>()}");
    }
}

using TorchSharp;

namespace Tandem.Tests.TestSupport;

/// <summary>Compares the weights of two models tensor by tensor (resume tests: an interrupted and resumed run
/// against an uninterrupted one).</summary>
internal static class SameWeights
{
    /// <summary>Every tensor of <paramref name="module"/>'s state dict, as floats, by key.</summary>
    public static Dictionary<string, float[]> Of(torch.nn.Module module) =>
        module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.data<float>().ToArray());

    /// <summary>Asserts the same keys and every value within <paramref name="tolerance"/>.</summary>
    public static void Assert(Dictionary<string, float[]> expected, Dictionary<string, float[]> actual, double tolerance = 1e-6)
    {
        Xunit.Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (k, v) in expected)
            for (int i = 0; i < v.Length; i++)
                Xunit.Assert.True(Math.Abs(v[i] - actual[k][i]) <= tolerance, $"{k}[{i}]: {v[i]} vs {actual[k][i]}");
    }
}

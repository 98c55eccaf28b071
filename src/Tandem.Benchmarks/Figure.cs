using System.Diagnostics;

namespace Tandem.Benchmarks;

/// <summary>What a figure's workload needs from its caller.</summary>
/// <param name="Quick">Fewer repetitions (a check that the figure runs, not a measurement to quote).</param>
/// <param name="StartTandem">The start info of a <c>tandem</c> command line (for figures that time a fresh process).</param>
public sealed record FigureContext(bool Quick, Func<IReadOnlyList<string>, ProcessStartInfo> StartTandem);

/// <summary>One measured value and, where the workload's matrix products are counted, the GFLOP/s it achieved.</summary>
/// <param name="Value">The figure, in its unit.</param>
/// <param name="Gflops">Achieved matmul GFLOP/s, or null.</param>
public sealed record Measurement(double Value, double? Gflops = null);

/// <summary>A figure of <c>tandem bench</c>: a name (its JSON key), a unit, what it measures, and the workload.</summary>
/// <param name="Name">snake_case key, e.g. <c>greedy_b1_tokens_per_s</c>.</param>
/// <param name="Unit">Unit of the value (ms, ms/step, s, tokens/s, seq/s, GFLOP/s...).</param>
/// <param name="Description">The workload in a few words.</param>
/// <param name="Measure">Runs the workload in this process.</param>
public sealed record Figure(string Name, string Unit, string Description, Func<FigureContext, Measurement> Measure)
{
    /// <summary>The matmul-peak figure the achieved GFLOP/s is a share of, or null.</summary>
    public string? Peak { get; init; }

    /// <summary>The figure this one's speed is compared with (the float32 path, or the first of a series), or null.</summary>
    public string? Baseline { get; init; }

    /// <summary>Whether a smaller value is faster (times rather than rates).</summary>
    public bool IsTime => Unit.StartsWith("ms", StringComparison.Ordinal) || Unit == "s";
}

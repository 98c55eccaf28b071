using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tandem.Benchmarks;

/// <summary>A figure as its own process measured it: the JSON line <c>tandem bench --figure NAME</c> prints.</summary>
/// <param name="Name">The figure's name.</param>
/// <param name="Value">The value in the figure's unit (NaN when <paramref name="Error"/> is set).</param>
/// <param name="Gflops">Achieved matmul GFLOP/s, or null.</param>
/// <param name="PeakRssMib">Peak resident memory of the process that ran the workload (for a figure that times
/// fresh <c>tandem</c> processes: the largest of theirs), in MiB.</param>
/// <param name="Threads">libtorch's intra-op threads.</param>
/// <param name="Error">Why the figure could not be measured, else null.</param>
public sealed record FigureResult(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] double Value,
    [property: JsonPropertyName("gflops")] double? Gflops,
    [property: JsonPropertyName("peak_rss_mib")] long PeakRssMib,
    [property: JsonPropertyName("threads")] int Threads,
    [property: JsonPropertyName("error")] string? Error = null)
{
    static readonly JsonSerializerOptions Options = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Runs <paramref name="figure"/>'s workload in this process.</summary>
    public static FigureResult Measure(Figure figure, FigureContext context)
    {
        var m = figure.Measure(context);
        long rss = figure.Name == "ask_cold_s" ? ProcessMemory.ChildrenPeak() : ProcessMemory.Peak();
        return new FigureResult(figure.Name, m.Value, m.Gflops, rss, TorchSharp.torch.get_num_threads());
    }

    /// <summary>A figure whose process failed.</summary>
    public static FigureResult Failed(string name, string error) => new(name, double.NaN, null, -1, 0, error);

    /// <summary>One JSON line.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>Reads a line written by <see cref="ToJson"/>.</summary>
    public static FigureResult FromJson(string json) =>
        JsonSerializer.Deserialize<FigureResult>(json, Options) ?? throw new JsonException("null figure");
}

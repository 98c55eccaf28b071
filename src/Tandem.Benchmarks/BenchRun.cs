using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tandem.Benchmarks;

/// <summary>A figure with what the run compares it with.</summary>
/// <param name="Figure">The figure.</param>
/// <param name="Result">What its process measured.</param>
/// <param name="PercentOfPeak">Achieved GFLOP/s as a percentage of the matmul peak of the same dtype, measured in
/// the same run; null without either.</param>
/// <param name="SpeedVsBaseline">Speed relative to <see cref="Figure.Baseline"/> measured in the same run (above 1:
/// faster; rates divide, times divide the other way round); null without one.</param>
public sealed record BenchRow(Figure Figure, FigureResult Result, double? PercentOfPeak, double? SpeedVsBaseline);

/// <summary>
/// Runs figures, each in a fresh process of its own (<c>tandem bench --figure NAME</c>), so that one workload's
/// memory, threads and warmed caches do not flavour the next, and sets each against the matmul peak and the
/// baseline measured in the same run.
/// </summary>
public static class BenchRun
{
    /// <summary>The figures named in <paramref name="names"/> (comma-separated; null or empty: all), in table order,
    /// with the matmul peaks and baselines they are compared with.</summary>
    /// <exception cref="TandemException">An unknown name (the message lists the figures).</exception>
    public static IReadOnlyList<Figure> Select(string? names)
    {
        if (string.IsNullOrWhiteSpace(names)) return FigureCatalog.All;
        var chosen = names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(FigureCatalog.Find).ToList();
        var needed = chosen.SelectMany(f => new[] { f.Name, f.Peak, f.Baseline }).OfType<string>().ToHashSet();
        return FigureCatalog.All.Where(f => needed.Contains(f.Name)).ToList();
    }

    /// <summary>Measures <paramref name="figures"/> one process each and compares them.</summary>
    /// <param name="figures">What to measure.</param>
    /// <param name="quick">Fewest repetitions.</param>
    /// <param name="startTandem">The start info of a <c>tandem</c> command line.</param>
    /// <param name="progress">Called with each result as it comes.</param>
    public static IReadOnlyList<BenchRow> Run(IReadOnlyList<Figure> figures, bool quick,
        Func<IReadOnlyList<string>, ProcessStartInfo> startTandem, Action<FigureResult>? progress = null)
    {
        var results = new Dictionary<string, FigureResult>();
        foreach (var figure in figures)
        {
            var result = RunChild(figure.Name, quick, startTandem);
            results[figure.Name] = result;
            progress?.Invoke(result);
        }
        return figures.Select(f => Compare(f, results)).ToList();
    }

    static BenchRow Compare(Figure figure, Dictionary<string, FigureResult> results)
    {
        var r = results[figure.Name];
        double? percent = figure.Peak is { } p && results.TryGetValue(p, out var peak) && r.Gflops is { } g && peak.Value > 0
            ? 100 * g / peak.Value : null;
        double? speed = figure.Baseline is { } b && results.TryGetValue(b, out var baseline) && r.Value > 0 && baseline.Value > 0
            ? (figure.IsTime ? baseline.Value / r.Value : r.Value / baseline.Value) : null;
        return new BenchRow(figure, r, percent, speed);
    }

    static FigureResult RunChild(string name, bool quick, Func<IReadOnlyList<string>, ProcessStartInfo> startTandem)
    {
        var start = startTandem(quick ? ["bench", "--figure", name, "--quick"] : ["bench", "--figure", name]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var p = Process.Start(start) ?? throw new TandemException($"{name}: the benchmark process did not start");
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith('{'));
        if (p.ExitCode != 0 || line is null)
        {
            var why = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? $"exit code {p.ExitCode}";
            return FigureResult.Failed(name, why.Trim());
        }
        try { return FigureResult.FromJson(line); }
        catch (JsonException e) { return FigureResult.Failed(name, "unreadable result: " + e.Message); }
    }

    /// <summary>One JSON object: each figure's value under its name, then objects by figure name for the achieved
    /// GFLOP/s, the share of the matmul peak, the speed against the baseline and the peak RSS; failures under
    /// <c>errors</c>; the threads and the machine.</summary>
    public static JsonObject ToJson(IReadOnlyList<BenchRow> rows, string machine)
    {
        var json = new JsonObject();
        foreach (var row in rows.Where(r => r.Result.Error is null)) json[row.Figure.Name] = Round(row.Result.Value);
        json["gflops"] = Map(rows, r => r.Result.Gflops);
        json["percent_of_peak"] = Map(rows, r => r.PercentOfPeak);
        json["speed_vs_baseline"] = Map(rows, r => r.SpeedVsBaseline);
        json["peak_rss_mib"] = Map(rows, r => r.Result.Error is null ? r.Result.PeakRssMib : null);
        json["units"] = new JsonObject(rows.Select(r => KeyValuePair.Create(r.Figure.Name, (JsonNode?)r.Figure.Unit)));
        var errors = rows.Where(r => r.Result.Error is not null).ToList();
        if (errors.Count > 0) json["errors"] = new JsonObject(errors.Select(r => KeyValuePair.Create(r.Figure.Name, (JsonNode?)r.Result.Error)));
        json["threads"] = rows.Select(r => r.Result.Threads).DefaultIfEmpty(0).Max();
        json["machine"] = machine;
        return json;
    }

    static JsonObject Map(IReadOnlyList<BenchRow> rows, Func<BenchRow, double?> value) =>
        new(rows.Where(r => value(r) is not null).Select(r => KeyValuePair.Create(r.Figure.Name, (JsonNode?)Round(value(r)!.Value))));

    static double Round(double x) => Math.Round(x, x >= 100 ? 1 : 4);

    /// <summary>A number as the table prints it: 3 significant digits, no exponent.</summary>
    public static string Format(double x) => x switch
    {
        >= 100 => x.ToString("F0", CultureInfo.InvariantCulture),
        >= 10 => x.ToString("F1", CultureInfo.InvariantCulture),
        _ => x.ToString("F2", CultureInfo.InvariantCulture),
    };
}

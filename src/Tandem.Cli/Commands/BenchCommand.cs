using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using Tandem.Benchmarks;
using Tandem.Cli.Infrastructure;
using Tandem.Evaluation.Results;

namespace Tandem.Cli.Commands;

/// <summary><c>tandem bench</c>: the reference workloads timed, each in a fresh process of its own, against the matmul
/// peaks and float32 paths measured in the same run (the workloads live in Tandem.Benchmarks).</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var figures = new Option<string?>("--figures") { Description = "Comma-separated figures to measure (default: all); the peaks and baselines they are compared with are measured too" };
        var quick = new Option<bool>("--quick") { Description = "The fewest repetitions: checks that the figures run, not numbers to quote" };
        var figure = new Option<string?>("--figure") { Description = "Measure one figure in this process and print it as one JSON line (what each child process runs)", Hidden = true };
        var command = new Command("bench", "Time training, generation, the encoder and a cold `tandem ask` (MiniLM-shaped, random weights); print figures, achieved GFLOP/s against the measured matmul peak, and peak memory")
        {
            figures, quick, figure, CommonOptions.Json,
        };
        command.SetHandler(parse =>
        {
            var context = new FigureContext(parse.GetValue(quick), SelfProcess.Start);
            if (parse.GetValue(figure) is { } one)
            {
                Console.Out.WriteLine(FigureResult.Measure(FigureCatalog.Find(one), context).ToJson());
                return 0;
            }
            var selected = BenchRun.Select(parse.GetValue(figures));
            bool json = parse.GetValue(CommonOptions.Json);
            var rows = BenchRun.Run(selected, context.Quick, SelfProcess.Start,
                r => Console.Error.WriteLine(r.Error is null ? $"measured {r.Name}" : $"warning: {r.Name} failed: {r.Error}"));
            if (json) Console.Out.WriteLine(BenchRun.ToJson(rows, MachineInfo.Describe()).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            else Print(rows, context.Quick);
            return rows.Any(r => r.Result.Error is not null) ? 1 : 0;
        });
        return command;
    }

    static void Print(IReadOnlyList<BenchRow> rows, bool quick)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("figure", "value", "unit", "GFLOP/s", "% of peak", "vs baseline", "peak RSS MiB", "workload");
        foreach (var c in new[] { 1, 3, 4, 5, 6 }) table.Columns[c].RightAligned();
        foreach (var row in rows)
        {
            var r = row.Result;
            table.AddRow(
                Markup.Escape(row.Figure.Name),
                r.Error is null ? BenchRun.Format(r.Value) : "[red]failed[/]",
                row.Figure.Unit,
                r.Gflops is { } g ? BenchRun.Format(g) : "",
                row.PercentOfPeak is { } p ? $"{p:F0}%" : "",
                row.SpeedVsBaseline is { } s ? $"{BenchRun.Format(s)}x {Markup.Escape(row.Figure.Baseline!)}" : "",
                r.Error is null ? r.PeakRssMib.ToString(System.Globalization.CultureInfo.InvariantCulture) : "",
                Markup.Escape(r.Error ?? row.Figure.Description));
        }
        var console = AnsiConsole.Console;
        console.Write(table);
        console.MarkupLine($"[grey]{Markup.Escape(MachineInfo.Describe())}; libtorch threads {rows.Select(r => r.Result.Threads).DefaultIfEmpty(0).Max()}; " +
            $"each figure in its own process; vs baseline: speed relative to it (above 1: faster){(quick ? "; --quick: too few repetitions to quote" : "")}[/]");
    }
}

using ScottPlot;

namespace Tandem.Training;

/// <summary>PNG plots of a run from its <c>metrics.jsonl</c>: <c>loss.png</c> (training and dev loss) and
/// <c>dev_metrics.png</c> (exact match, token accuracy, BLEU).</summary>
public static class RunPlots
{
    /// <summary>Writes the plots into <paramref name="runDir"/> and returns their paths.</summary>
    public static IReadOnlyList<string> Write(string runDir)
    {
        var records = MetricsLog.Read(runDir);
        var written = new List<string>();
        var train = records.Where(r => (string?)r["split"] == "train" && r["loss"] is not null).ToList();
        var dev = records.Where(r => (string?)r["split"] != "train").ToList();
        var loss = new Plot();
        AddLine(loss, train, "loss", "train loss");
        AddLine(loss, dev, "loss", "dev loss");
        loss.Title("Loss");
        loss.XLabel("step");
        loss.ShowLegend();
        written.Add(Save(loss, runDir, "loss.png"));
        if (dev.Any(r => r["bleu"] is not null || r["exact_match"] is not null))
        {
            var metrics = new Plot();
            AddLine(metrics, dev, "exact_match", "exact match (%)", 100);
            AddLine(metrics, dev, "token_accuracy", "token accuracy (%)", 100);
            AddLine(metrics, dev, "bleu", "BLEU");
            metrics.Title("Dev metrics");
            metrics.XLabel("step");
            metrics.ShowLegend();
            written.Add(Save(metrics, runDir, "dev_metrics.png"));
        }
        return written;
    }

    static void AddLine(Plot plot, List<System.Text.Json.Nodes.JsonObject> rows, string key, string label, double scale = 1)
    {
        var points = rows.Where(r => r[key] is not null).Select(r => ((double)r["step"]!.GetValue<int>(), r[key]!.GetValue<double>() * scale)).ToArray();
        if (points.Length == 0) return;
        var s = plot.Add.Scatter(points.Select(p => p.Item1).ToArray(), points.Select(p => p.Item2).ToArray());
        s.LegendText = label;
    }

    static string Save(Plot plot, string dir, string name)
    {
        var path = Path.Combine(dir, name);
        plot.SavePng(path, 900, 500);
        return path;
    }
}

using System.Globalization;
using System.Text;

namespace Tandem.Evaluation.Results;

/// <summary>
/// Renders <c>docs/RESULTS.md</c> from the result rows saved as JSON files (<see cref="ResultRow.Save"/>); the
/// file is generated, never edited by hand. SQL rows are sorted by split, then by execution accuracy and exact match
/// (best first), then by model name, so the output does not depend on the order the rows were run in; rows with a
/// BLEU (translation) get their own table after them.
/// </summary>
public static class ResultsTable
{
    /// <summary>Loads every <c>*.json</c> row in <paramref name="dir"/> (none if the folder is missing).</summary>
    /// <param name="dir">The rows folder.</param>
    public static IReadOnlyList<ResultRow> LoadRows(string dir) =>
        Directory.Exists(dir)
            ? Directory.GetFiles(dir, "*.json").Order(StringComparer.Ordinal).Select(ResultRow.Load).ToList()
            : [];

    /// <summary>The markdown document: a title, a note on how it was made, the table of the SQL rows and, when there are
    /// rows with a BLEU (<see cref="ResultRow.Bleu"/>), a Translation section with their table.</summary>
    /// <param name="rows">The rows to show.</param>
    /// <param name="title">The heading.</param>
    public static string Render(IEnumerable<ResultRow> rows, string title = "Results")
    {
        var all = rows.ToList();
        var translation = all.Where(r => r.Bleu is not null).ToList();
        var sql = all.Where(r => r.Bleu is null).OrderBy(r => r.Split, StringComparer.Ordinal)
            .ThenByDescending(r => r.ExecutionAccuracy ?? -1).ThenByDescending(r => r.ExactMatch)
            .ThenBy(r => r.Model, StringComparer.Ordinal).ToList();
        var sb = new StringBuilder();
        sb.Append("# ").Append(title).Append("\n\n");
        sb.Append("Generated from the JSON rows in `docs/results/`; do not edit by hand. Exact match and execution accuracy\n");
        sb.Append("are defined in `src/Tandem/Tasks/Sql/SqlExactMatch.cs` and `ExecutionMatch.cs`.\n\n");
        if (sql.Count > 0 || translation.Count == 0)
        {
            sb.Append("| model | split | n | exact match | execution accuracy | trained on | steps | wall time | test time | machine | date | command |\n");
            sb.Append("|---|---|---:|---:|---:|---|---:|---:|---:|---|---|---|\n");
            foreach (var r in sql)
            {
                sb.Append("| ").Append(Cell(r.Model)).Append(" | ").Append(Cell(r.Split)).Append(" | ").Append(r.Examples.ToString(CultureInfo.InvariantCulture))
                  .Append(" | ").Append(Percent(r.ExactMatch)).Append(" | ").Append(r.ExecutionAccuracy is { } ex ? Percent(ex) : "n/a")
                  .Append(" | ").Append(Cell(r.Training.Length > 0 ? r.Training : "train"));
                Tail(sb, r);
            }
        }
        if (translation.Count > 0) RenderTranslation(sb, translation);
        return sb.ToString();
    }

    /// <summary>The Translation section: detokenized cased BLEU with its signature, and lower-cased BLEU, sorted by
    /// test set, then BLEU (best first), then model name.</summary>
    static void RenderTranslation(StringBuilder sb, List<ResultRow> rows)
    {
        if (sb[^2] != '\n') sb.Append('\n');
        sb.Append("## Translation\n\n");
        sb.Append("BLEU is corpus BLEU as sacreBLEU computes it (`src/Tandem/Evaluation/CorpusBleu.cs`) on detokenized output\n");
        sb.Append("against the raw references: cased with the signature shown, and the same output lower-cased (`case:lc`).\n\n");
        sb.Append("| model | test set | n | BLEU | BLEU (lower-cased) | signature | trained on | steps | wall time | test time | machine | date | command |\n");
        sb.Append("|---|---|---:|---:|---:|---|---|---:|---:|---:|---|---|---|\n");
        foreach (var r in rows.OrderBy(r => r.Split, StringComparer.Ordinal).ThenByDescending(r => r.Bleu).ThenBy(r => r.Model, StringComparer.Ordinal))
        {
            sb.Append("| ").Append(Cell(r.Model)).Append(" | ").Append(Cell(r.Split)).Append(" | ").Append(r.Examples.ToString(CultureInfo.InvariantCulture))
              .Append(" | ").Append(Bleu(r.Bleu)).Append(" | ").Append(Bleu(r.BleuLowercase))
              .Append(" | ").Append(Cell(r.BleuSignature ?? "")).Append(" | ").Append(Cell(r.Training.Length > 0 ? r.Training : "train"));
            Tail(sb, r);
        }
    }

    /// <summary>The cells every table ends with: steps, times, machine, date, command.</summary>
    static void Tail(StringBuilder sb, ResultRow r) =>
        sb.Append(" | ").Append(r.Steps.ToString(CultureInfo.InvariantCulture)).Append(" | ").Append(Duration(r.WallSeconds))
          .Append(" | ").Append(r.TestSeconds is { } t ? Duration(t) : "")
          .Append(" | ").Append(Cell(r.Machine)).Append(" | ").Append(r.Date.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
          .Append(" | `").Append(r.Command.Replace("`", "'").Replace("|", "\\|")).Append("` |\n");

    static string Bleu(double? bleu) => bleu is { } b ? b.ToString("0.00", CultureInfo.InvariantCulture) : "";

    /// <summary>Loads the rows in <paramref name="rowsDir"/> and writes the rendered table to <paramref name="outputPath"/>.</summary>
    /// <param name="rowsDir">The rows folder, e.g. <c>docs/results</c>.</param>
    /// <param name="outputPath">The markdown file, e.g. <c>docs/RESULTS.md</c>.</param>
    public static void Write(string rowsDir, string outputPath)
    {
        string? parent = Path.GetDirectoryName(outputPath);
        if (!string.IsNullOrEmpty(parent)) Directory.CreateDirectory(parent);
        File.WriteAllText(outputPath, Render(LoadRows(rowsDir)));
    }

    static string Percent(double fraction) => (100 * fraction).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    static string Duration(double seconds) =>
        TimeSpan.FromSeconds(seconds) is var t && t.TotalHours >= 1
            ? $"{(int)t.TotalHours} h {t.Minutes:00} min"
            : $"{t.Minutes} min {t.Seconds:00} s";

    static string Cell(string s) => s.Replace("|", "\\|").Replace("\n", " ");
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tandem.Evaluation.Results;

/// <summary>
/// One row of an experiment's results table: a model evaluated on one split, with the budget it was trained
/// under. Each row is its own JSON file (<see cref="Save"/>), so rows can be run separately and merged by
/// <see cref="ResultsTable"/>.
/// </summary>
public sealed record ResultRow
{
    /// <summary>The model's name in the table, e.g. <c>MiniLM2MiniLM</c>, <c>RND2RND</c>.</summary>
    public required string Model { get; init; }

    /// <summary>The dataset and split, e.g. <c>geography question/test</c>.</summary>
    public required string Split { get; init; }

    /// <summary>Examples evaluated.</summary>
    public int Examples { get; init; }

    /// <summary>Exact match, a fraction in [0, 1] (<c>Tandem.Tasks.Sql.SqlExactMatch</c>); 0 in a translation row.</summary>
    public double ExactMatch { get; init; }

    /// <summary>Execution accuracy, a fraction in [0, 1] (<c>Tandem.Tasks.Sql.ExecutionMatch</c>); null without a database.</summary>
    public double? ExecutionAccuracy { get; init; }

    /// <summary>Detokenized cased corpus BLEU (0-100, <see cref="CorpusBleu"/>) of a translation row; null in other rows.
    /// A row with a BLEU is shown in the table's Translation section.</summary>
    public double? Bleu { get; init; }

    /// <summary>BLEU of the same output lower-cased (sacreBLEU <c>-lc</c>); null in other rows.</summary>
    public double? BleuLowercase { get; init; }

    /// <summary>sacreBLEU's signature of <see cref="Bleu"/>, e.g. <c>nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.x</c>.</summary>
    public string? BleuSignature { get; init; }

    /// <summary>What the model was trained on and which checkpoint was tested, e.g. <c>train+dev, last checkpoint</c>.</summary>
    public string Training { get; init; } = "";

    /// <summary>Optimiser steps trained.</summary>
    public long Steps { get; init; }

    /// <summary>Wall-clock seconds of training.</summary>
    public double WallSeconds { get; init; }

    /// <summary>Wall-clock seconds of generating (and executing) the answers to every evaluated question: decoding
    /// speed. Null in rows from before it was recorded.</summary>
    public double? TestSeconds { get; init; }

    /// <summary>The machine, as <see cref="MachineInfo.Describe"/> gives it.</summary>
    public string Machine { get; init; } = "";

    /// <summary>When the row was produced (UTC).</summary>
    public DateTimeOffset Date { get; init; }

    /// <summary>The command that produced the row, as typed.</summary>
    public string Command { get; init; } = "";

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>A file name for the row: model and split with anything but letters, digits, <c>-</c> and
    /// <c>.</c> turned into <c>_</c>, and <c>.json</c>. Saving a row again for the same model and split replaces it.</summary>
    public string FileName => new string($"{Model}__{Split}".Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_').ToArray()) + ".json";

    /// <summary>Writes the row as JSON into <paramref name="dir"/> (created if needed) and returns the file's path.</summary>
    /// <param name="dir">The rows folder, e.g. <c>docs/results</c>.</param>
    public string Save(string dir)
    {
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, FileName);
        File.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");
        return path;
    }

    /// <summary>Reads a row written by <see cref="Save"/>.</summary>
    /// <param name="path">The JSON file.</param>
    public static ResultRow Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<ResultRow>(File.ReadAllText(path), Json)
                ?? throw new TandemException($"{path} holds no result row");
        }
        catch (JsonException ex) { throw new TandemException($"{path} is not a result row: {ex.Message}", ex); }
    }
}

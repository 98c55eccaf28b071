using System.Text.Json;

namespace Tandem.Tasks.Sql.Fitting;

/// <summary>One test prediction.</summary>
public sealed record SqlPrediction(string Question, string Gold, string Predicted, bool ExactMatch, bool ExecutionMatch, string? Error);

/// <summary>Test predictions as JSON lines, for error analysis.</summary>
public static class SqlPredictionFile
{
    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Writes one JSON object per prediction.</summary>
    public static void Write(string path, IEnumerable<SqlPrediction> predictions)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllLines(path, predictions.Select(p => JsonSerializer.Serialize(p, Json)));
    }
}

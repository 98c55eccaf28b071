namespace Tandem.Training.Data;

/// <summary>One (source, target) example as read from a data file.</summary>
/// <param name="Source">The input text.</param>
/// <param name="Target">The expected output text.</param>
public sealed record TextPair(string Source, string Target);

/// <summary>How a pairs file is laid out.</summary>
public enum PairFormat
{
    /// <summary>Chosen from the extension: <c>.jsonl</c>/<c>.json</c>, <c>.tsv</c>, <c>.csv</c>.</summary>
    Auto,
    /// <summary>One JSON object per line with a source and a target field.</summary>
    JsonLines,
    /// <summary>Tab-separated: source, tab, target (or a header naming the fields).</summary>
    Tsv,
    /// <summary>Comma-separated with RFC 4180 quoting, and a header naming the fields.</summary>
    Csv,
}

using System.IO.Compression;
using System.Text;

namespace Tandem.Tasks.Translation;

/// <summary>A source sentence and its reference translation.</summary>
/// <param name="Source">The sentence to translate.</param>
/// <param name="Target">Its reference translation.</param>
public sealed record TranslationPair(string Source, string Target);

/// <summary>
/// Reads Multi30k's task 1 (Flickr30k captions translated by hand) as distributed: <c>task1/raw/&lt;stem&gt;.&lt;lang&gt;.gz</c>,
/// gzip-compressed UTF-8, one cased untokenized sentence a line, the languages line-aligned.
/// </summary>
public static class Multi30kReader
{
    /// <summary>The training split's stem (29,000 sentences).</summary>
    public const string Train = "train";
    /// <summary>The validation split's stem (1,014 sentences).</summary>
    public const string Validation = "val";
    /// <summary>The usual test set, test 2016 Flickr (1,000 sentences).</summary>
    public const string Test2016 = "test_2016_flickr";

    /// <summary>Every test set's stem: none of their sentences may enter a pre-training corpus.</summary>
    public static IReadOnlyList<string> TestStems { get; } = [Test2016, "test_2017_flickr", "test_2017_mscoco", "test_2018_flickr"];

    /// <summary>The sentences of <paramref name="stem"/> in <paramref name="language"/> (e.g. <c>de</c>), in file order.</summary>
    /// <exception cref="TandemException">The file is missing or not gzip.</exception>
    public static IReadOnlyList<string> Read(string dataDir, string stem, string language)
    {
        var path = FilePath(dataDir, stem, language);
        if (!File.Exists(path)) throw new TandemException($"{path}: Multi30k file not found (pass the folder that holds task1/raw)");
        try
        {
            using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            using var reader = new StreamReader(gzip, new UTF8Encoding(false, throwOnInvalidBytes: true));
            var lines = new List<string>();
            while (reader.ReadLine() is { } line) lines.Add(line.Trim());
            if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
            return lines;
        }
        catch (Exception e) when (e is InvalidDataException or DecoderFallbackException) { throw new TandemException($"{path}: not gzip-compressed UTF-8 text ({e.Message})", e); }
    }

    /// <summary>The aligned pairs of <paramref name="stem"/>, <paramref name="source"/> to <paramref name="target"/>.</summary>
    /// <exception cref="TandemException">The two files differ in length.</exception>
    public static IReadOnlyList<TranslationPair> ReadPairs(string dataDir, string stem, string source, string target)
    {
        var src = Read(dataDir, stem, source);
        var tgt = Read(dataDir, stem, target);
        if (src.Count != tgt.Count)
            throw new TandemException($"{FilePath(dataDir, stem, source)} has {src.Count} lines, {FilePath(dataDir, stem, target)} {tgt.Count}: not aligned");
        return src.Zip(tgt, (s, t) => new TranslationPair(s, t)).ToList();
    }

    /// <summary>Where <paramref name="stem"/> in <paramref name="language"/> lies under <paramref name="dataDir"/>.</summary>
    public static string FilePath(string dataDir, string stem, string language) => Path.Combine(dataDir, "task1", "raw", $"{stem}.{language}.gz");
}

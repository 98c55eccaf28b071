using System.Security.Cryptography;
using System.Text;
using Tandem.Tokenization;

namespace Tandem.Training.Data;

/// <summary>Tokenizes a data file once: the ids are kept in a binary cache file whose name is a hash of the
/// tokenizers' vocabularies and settings, the data file's bytes, the field names and the length limits.</summary>
public static class TokenCache
{
    const int Magic = 0x544E4443; // "TNDC"

    /// <summary>Reads and tokenizes <paramref name="path"/>, through the cache in <paramref name="cacheDir"/>
    /// when one is given. Returns the examples and whether the cache was hit.</summary>
    public static (List<TokenizedExample> Examples, bool CacheHit) Load(string path, Seq2SeqTokenizers tokenizers,
        PairFormat format, string sourceField, string targetField, int maxSource, int maxTarget, string? cacheDir)
    {
        if (!File.Exists(path)) throw new TandemException($"{path}: data file not found");
        string? file = null;
        if (cacheDir is not null)
        {
            var key = Key(path, tokenizers, $"{format}|{sourceField}|{targetField}|{maxSource}|{maxTarget}");
            file = Path.Combine(cacheDir, $"{Path.GetFileNameWithoutExtension(path)}-{key}.bin");
            if (File.Exists(file) && TryRead(file) is { } cached) return (cached, true);
        }
        var pairs = PairReader.Read(path, format, sourceField, targetField);
        var examples = pairs.Select(p => TokenizedExample.From(p, tokenizers, maxSource, maxTarget)).ToList();
        if (file is not null) Write(file, examples);
        return (examples, false);
    }

    static string Key(string path, Seq2SeqTokenizers tokenizers, string settings)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        TokenizerFingerprint.Append(sha, tokenizers.Source);
        TokenizerFingerprint.Append(sha, tokenizers.Target);
        sha.AppendData(Encoding.UTF8.GetBytes(settings));
        using (var stream = File.OpenRead(path))
        {
            var buffer = new byte[1 << 16];
            for (int n; (n = stream.Read(buffer)) > 0;) sha.AppendData(buffer, 0, n);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
    }

    static void Write(string file, List<TokenizedExample> examples)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var tmp = file + ".tmp-" + Environment.ProcessId;
        using (var w = new BinaryWriter(File.Create(tmp)))
        {
            w.Write(Magic);
            w.Write(examples.Count);
            foreach (var e in examples)
            {
                w.Write(e.Source.Length);
                foreach (var id in e.Source) w.Write(id);
                w.Write(e.Labels.Length);
                foreach (var id in e.Labels) w.Write(id);
            }
        }
        File.Move(tmp, file, overwrite: true);
    }

    static List<TokenizedExample>? TryRead(string file)
    {
        try
        {
            using var r = new BinaryReader(File.OpenRead(file));
            if (r.ReadInt32() != Magic) return null;
            int n = r.ReadInt32();
            var list = new List<TokenizedExample>(n);
            for (int i = 0; i < n; i++)
            {
                var src = new int[r.ReadInt32()];
                for (int j = 0; j < src.Length; j++) src[j] = r.ReadInt32();
                var lab = new int[r.ReadInt32()];
                for (int j = 0; j < lab.Length; j++) lab[j] = r.ReadInt32();
                list.Add(new TokenizedExample(src, lab));
            }
            return list;
        }
        catch (Exception e) when (e is IOException or EndOfStreamException) { return null; }
    }
}

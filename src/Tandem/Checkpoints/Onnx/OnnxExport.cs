using System.Security.Cryptography;
using System.Text;
using Tandem.Modeling;
using Tandem.Models;
using Tandem.Pretrained;

namespace Tandem.Checkpoints.Onnx;

/// <summary>Writes the encoder of a checkpoint folder (any family with an ONNX export: BERT, RoBERTa) as an ONNX
/// file, as <c>tandem convert to-onnx</c> does, and keeps exports in the cache for <c>tandem embed</c>.</summary>
public static class OnnxExport
{
    /// <summary>Changes when the exported graph changes, so older cached exports are not reused.</summary>
    const string GraphVersion = "tandem-onnx-encoder-1";

    /// <summary>Loads the encoder of <paramref name="model"/> (a folder or an embedded name such as <c>minilm</c>) and
    /// writes its ONNX graph to <paramref name="path"/>, which must not exist. Returns the encoder's config.</summary>
    public static IModelConfig Write(string model, string? cacheDir, string path)
    {
        if (File.Exists(path) || Directory.Exists(path)) throw new TandemException($"{path} already exists; choose a new file");
        var dir = EmbeddedModels.Resolve(model, cacheDir);
        var config = ModelFamilies.LoadConfig(dir);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        File.WriteAllBytes(path, Export(dir, config));
        return config;
    }

    /// <summary>
    /// The cached ONNX export of the checkpoint folder <paramref name="dir"/>'s encoder under
    /// <c>onnx/</c> in the cache folder (<see cref="EmbeddedModels.CacheDirectory"/>), exporting it on first use.
    /// The file is named by a hash of the folder's path and of each file's name, size and modification time, so
    /// new weights get a new export; concurrent first uses each write a temporary file and the first rename wins.
    /// </summary>
    public static string Cached(string dir, string? cacheDir = null)
    {
        dir = Path.GetFullPath(dir);
        var key = new StringBuilder(GraphVersion).Append('\n').Append(dir).Append('\n');
        foreach (var f in new DirectoryInfo(dir).GetFiles().OrderBy(f => f.Name, StringComparer.Ordinal))
            key.Append(f.Name).Append('\t').Append(f.Length).Append('\t').Append(f.LastWriteTimeUtc.Ticks).Append('\n');
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key.ToString())))[..20];
        var path = Path.Combine(EmbeddedModels.CacheDirectory(cacheDir), "onnx", $"{Path.GetFileName(dir)}-{hash}.onnx");
        if (File.Exists(path)) return path;
        var bytes = Export(dir, ModelFamilies.LoadConfig(dir));
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(temporary, bytes);
            try { File.Move(temporary, path, overwrite: false); }
            catch (IOException) when (File.Exists(path)) { }                                    // another process won
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TandemException($"cannot keep the ONNX export of {dir} in {Path.GetDirectoryName(path)} ({e.Message}); choose a writable --cache-dir (or $TANDEM_CACHE), or run libtorch (--runtime libtorch)", e);
        }
        finally
        {
            try { File.Delete(temporary); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return path;
    }

    static byte[] Export(string dir, IModelConfig config)
    {
        var family = ModelFamilies.Of(config);
        if (family.ExportOnnx is null)
            throw new TandemException($"{dir}: {family.Name} checkpoints have no encoder ONNX export (families with one: {string.Join(", ", ModelFamilies.All.Where(f => f.ExportOnnx is not null).Select(f => f.Name))})");
        var encoder = ModelFamilies.LoadEncoder(dir);
        try { return family.ExportOnnx(encoder); }
        finally { encoder.Module.Dispose(); }
    }
}

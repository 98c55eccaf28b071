namespace Tandem.Tests.TestSupport;

/// <summary>Locations the tests read: the repository root and the read-only shared material beside it.</summary>
internal static class Paths
{
    public static string RepoRoot { get; } = FindRoot();

    public static string Shared(params string[] parts) =>
        Path.GetFullPath(Path.Combine([RepoRoot, "..", "shared", .. parts]));

    public static string Reference(string model, params string[] parts) => Shared(["reference", model, .. parts]);

    /// <summary>A fresh empty folder under the system temp folder, deleted when disposed.</summary>
    public static TempDir TempDir() => new();

    static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Tandem.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Tandem.slnx not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary folder removed on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tandem-test-" + Guid.NewGuid().ToString("N")[..12]);

    public TempDir() => Directory.CreateDirectory(Path);

    public string this[string name] => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

namespace Tandem.Training;

/// <summary>Writes that never leave a half-written file or folder behind: write aside, flush, then rename.</summary>
internal static class AtomicFile
{
    public static void WriteAllText(string path, string text)
    {
        var tmp = path + ".tmp-" + Environment.ProcessId;
        using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        {
            using var writer = new StreamWriter(stream);
            writer.Write(text);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Writes a new folder <paramref name="dir"/> whole or not at all: <paramref name="write"/> fills a hidden
    /// folder beside it, which is flushed and renamed into place; on failure it is removed. A non-empty
    /// <paramref name="dir"/> is refused before any work.</summary>
    public static void PublishFolder(string dir, Action<string> write)
    {
        dir = Path.GetFullPath(dir);
        if (File.Exists(dir)) throw new TandemException($"{dir}: is a file; give a folder to write to");
        if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
            throw new TandemException($"{dir}: already exists and is not empty; choose another folder or remove it");
        var parent = Path.GetDirectoryName(dir)!;
        Directory.CreateDirectory(parent);
        var tmp = Path.Combine(parent, $".{Path.GetFileName(dir)}.tmp-{Environment.ProcessId}");
        try
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
            write(tmp);
            FlushFolder(tmp);
            if (Directory.Exists(dir)) Directory.Delete(dir);         // empty, checked above
            Directory.Move(tmp, dir);
        }
        finally
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        }
    }

    /// <summary>Flushes every file of <paramref name="dir"/> to disk (before the folder is renamed into place).</summary>
    public static void FlushFolder(string dir)
    {
        foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
            stream.Flush(flushToDisk: true);
        }
    }
}

namespace Tandem.Cli.Infrastructure;

/// <summary>Where a command's input texts come from: arguments, a file (one per line), or standard input.</summary>
internal static class TextSources
{
    /// <summary>The arguments if any; else the lines of <paramref name="file"/> (<c>-</c> = stdin); else stdin when it
    /// is redirected. Blank lines of a file are kept (as empty texts) so errors can name their line.</summary>
    public static List<string> Read(IReadOnlyList<string>? arguments, string? file)
    {
        if (arguments is { Count: > 0 }) return arguments.ToList();
        if (file is not null && file != "-")
        {
            if (!File.Exists(file)) throw new TandemException($"{file}: input file not found");
            return File.ReadAllLines(file).ToList();
        }
        if (file == "-" || Console.IsInputRedirected)
        {
            var lines = new List<string>();
            while (Console.In.ReadLine() is { } line) lines.Add(line);
            while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
            return lines;
        }
        throw new TandemException("no input: give texts as arguments, --file FILE, or lines on standard input");
    }

    /// <summary>Parses space-separated token ids, naming the input in errors.</summary>
    public static long[] ParseIds(string text, string what)
    {
        var parts = text.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries);
        var ids = new long[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!long.TryParse(parts[i], out ids[i]))
                throw new TandemException($"{what}: '{parts[i]}' is not a token id (give space-separated integers)");
        return ids;
    }
}

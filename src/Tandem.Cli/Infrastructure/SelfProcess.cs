using System.Diagnostics;

namespace Tandem.Cli.Infrastructure;

/// <summary>How to start this program again: its executable, or <c>dotnet Tandem.Cli.dll</c> under <c>dotnet run</c>.</summary>
internal static class SelfProcess
{
    /// <summary>The command line's first words (executable, then the entry assembly under <c>dotnet</c>); null
    /// where the executable is unknown.</summary>
    public static IReadOnlyList<string>? Prefix()
    {
        var self = Environment.ProcessPath;
        if (self is null) return null;
        if (Path.GetFileNameWithoutExtension(self) != "dotnet") return [self];
        var entry = typeof(SelfProcess).Assembly.Location;
        return string.IsNullOrEmpty(entry) ? null : [self, entry];
    }

    /// <summary>The start info of <c>tandem ARGS</c> with this process's environment.</summary>
    /// <exception cref="TandemException">The executable is unknown.</exception>
    public static ProcessStartInfo Start(IReadOnlyList<string> args)
    {
        var prefix = Prefix() ?? throw new TandemException("cannot find the tandem executable to start it again");
        var start = new ProcessStartInfo(prefix[0]) { UseShellExecute = false };
        foreach (var a in prefix.Skip(1).Concat(args)) start.ArgumentList.Add(a);
        return start;
    }
}

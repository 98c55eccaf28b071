using System.CommandLine;
using System.Text.RegularExpressions;

namespace Tandem.Cli.Infrastructure;

/// <summary>Command-line mistakes (an unknown command, a missing option, a value of the wrong type) as one line on
/// stderr, like every other user error, instead of the parser's message followed by the whole help text.</summary>
internal static partial class ParseErrors
{
    /// <summary>Prints the parse errors of <paramref name="parse"/> on one line and returns exit code 1; null when there are none.</summary>
    public static int? Report(ParseResult parse)
    {
        if (parse.Errors.Count == 0) return null;
        var names = new List<string>();
        for (var c = parse.CommandResult; c is not null; c = c.Parent as System.CommandLine.Parsing.CommandResult) names.Insert(0, c.Command.Name);
        Console.Error.WriteLine($"error: {string.Join(' ', parse.Errors.Select(e => Friendly(e.Message)))} (see {string.Join(' ', names)} --help)");
        return 1;
    }

    /// <summary>The message with .NET type names replaced by what a user types ('System.Nullable`1[System.Int32]' → an integer).</summary>
    static string Friendly(string message) => TypeName().Replace(string.Join(' ', message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)), m => m.Groups[1].Value switch
    {
        "Int32" or "Int64" => "as an integer",
        "Double" or "Single" => "as a number",
        "Boolean" => "as true or false",
        var other => "as " + other.ToLowerInvariant(),
    });

    [GeneratedRegex(@"as expected type 'System\.(?:Nullable`1\[System\.)?(\w+)\]?'")]
    private static partial Regex TypeName();
}

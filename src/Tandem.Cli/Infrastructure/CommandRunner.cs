using System.CommandLine;
using Tandem;

namespace Tandem.Cli.Infrastructure;

/// <summary>Runs a command's action: user errors become one line on stderr and exit code 1 (2 for unexpected
/// failures); the stack trace only with --verbose.</summary>
internal static class CommandRunner
{
    public static void SetHandler(this Command command, Func<ParseResult, int> action) =>
        command.SetAction(parse => Run(parse, () => action(parse)));

    public static int Run(ParseResult parse, Func<int> action)
    {
        bool verbose = parse.GetValue(CommonOptions.Verbose);
        try
        {
            return action();
        }
        catch (TandemException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            if (verbose) Console.Error.WriteLine(e);
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine("error: " + e.Message);
            if (verbose) Console.Error.WriteLine(e);
            return 1;
        }
        catch (Exception e) when (e is OutOfMemoryException || e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase))
        {
            Console.Error.WriteLine("error: out of memory; use a smaller batch (--batch-size) or shorter inputs");
            if (verbose) Console.Error.WriteLine(e);
            return 1;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error: {e.GetType().Name}: {e.Message.Split('\n')[0]}" + (verbose ? "" : " (run with --verbose for the stack trace)"));
            if (verbose) Console.Error.WriteLine(e);
            return 2;
        }
    }
}

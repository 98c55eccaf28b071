using System.CommandLine;

namespace Tandem.Cli.Infrastructure;

/// <summary>Options several commands share.</summary>
internal static class CommonOptions
{
    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Print stack traces of errors and more detail",
        Recursive = true,
    };

    public static Option<string> Model(string description, bool required = true) => new("--model", "-m")
    {
        Description = description,
        Required = required,
    };

    public static readonly Option<string?> CacheDir = new("--cache-dir")
    {
        Description = "Where embedded models are converted on first use (default: $TANDEM_CACHE, else $XDG_CACHE_HOME/tandem, else ~/.cache/tandem)",
    };

    public static readonly Option<bool> Json = new("--json") { Description = "Print JSON lines for programs" };

    public static readonly Option<string?> Device = new("--device")
    {
        Description = "cpu (default) or cuda[:N] with TorchSharp's CUDA packages",
    };
}

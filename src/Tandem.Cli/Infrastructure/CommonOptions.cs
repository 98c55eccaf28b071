using System.CommandLine;
using Tandem.Tasks.Sql;

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

    /// <summary>Texts given as arguments. The parser hands a misspelt flag (<c>--nmu-beams</c>) to such an argument as
    /// one more text, so a text that looks like a long option is refused (give it through --file or stdin).</summary>
    public static Argument<string[]> Texts(string name, string description)
    {
        var texts = new Argument<string[]>(name) { Description = description, Arity = ArgumentArity.ZeroOrMore };
        texts.Validators.Add(result =>
        {
            if (result.Tokens.FirstOrDefault(t => t.Value.Length > 2 && t.Value.StartsWith("--", StringComparison.Ordinal) && char.IsLetter(t.Value[2])) is { } flag)
                result.AddError($"unknown option '{flag.Value}' (a text that starts with -- goes through --file or standard input)");
        });
        return texts;
    }

    /// <summary><c>--threads</c>: libtorch's threads within one operation, and the cores Tandem's own kernels may use.
    /// Whatever it says, the cached decoding steps of a question or two run libtorch's small operations on one thread
    /// (<c>DecodingThreads</c>: with two, the second spun at every operation's barrier, and beside a training run a
    /// question's decoding took 27 s instead of 1.6), while at two or more their bf16 products take a second core
    /// (<c>MatvecHelper</c>). Measured with <c>tandem ask</c>, one question in a cold process (MiniLM2MiniLM shape,
    /// 64 new tokens, medians of 5) on the idle 2-core VM: 1.38 / 1.31 / 1.37 s at two threads against
    /// 1.62 / 1.58 / 1.58 s at one, then five alternating pairs 1.32 / 1.65 / 1.50 / 1.61 / 1.63 s against
    /// 1.79 / 1.45 / 1.84 / 1.86 / 1.49 s; beside a bf16 training run 2.48 / 2.88 s against 2.28 / 2.32 s.</summary>
    public static Option<int> Threads(int byDefault) => new("--threads")
    {
        Description = $"libtorch threads within an operation, and the cores Tandem's own kernels may use (default {byDefault}; 0: one a core)",
        DefaultValueFactory = _ => byDefault,
    };

    /// <summary>Applies a <see cref="Threads"/> value: 0 keeps libtorch's default.</summary>
    public static void ApplyThreads(int threads)
    {
        if (threads < 0) throw new TandemException($"--threads must be 0 (one a core) or more, got {threads}");
        if (threads > 0) TorchSharp.torch.set_num_threads(threads);
    }

    /// <summary><c>--precision</c> for commands that run a model without training it: <c>auto</c> (bf16 products on
    /// a CPU with bf16 instructions, else float32), <c>bf16</c> or <c>fp32</c> (transformers' numbers exactly).</summary>
    public static Option<string> Precision(string byDefault)
    {
        var option = new Option<string>("--precision")
        {
            Description = "Matrix products in bf16 (weights converted once per decoding run, float32 LayerNorm and softmax; faster decoding) or fp32 (as transformers computes); auto: bf16 on a CPU with avx512_bf16 or amx_bf16, else fp32",
            DefaultValueFactory = _ => byDefault,
        };
        option.AcceptOnlyFromAmong([.. Tandem.Modeling.Autocast.InferencePrecisions]);
        return option;
    }

    /// <summary>Enters the <see cref="Tandem.Modeling.Autocast"/> scope a <see cref="Precision"/> value names on
    /// <paramref name="device"/>.</summary>
    public static IDisposable EnterPrecision(string precision, TorchSharp.torch.Device device) =>
        Tandem.Modeling.Autocast.Enter(Tandem.Modeling.Autocast.ForInference(precision, device));

    public static readonly Option<string?> Device = new("--device")
    {
        Description = "cpu (default) or cuda[:N] with TorchSharp's CUDA packages",
    };

    /// <summary><c>--choose</c>: how a query is chosen among the beam's candidates (<see cref="SqlChoice"/>).</summary>
    public static Option<string> Choose()
    {
        var option = new Option<string>("--choose")
        {
            Description = "How a query is chosen among the candidates: first-answer (the first that runs and returns a non-null value), first-runs, or vote (the answer the candidates' probability mass agrees on)",
            DefaultValueFactory = _ => "first-answer",
        };
        option.AcceptOnlyFromAmong("first-answer", "first-runs", "vote");
        return option;
    }

    /// <summary><c>--literals</c>: <c>question</c> passes over candidates with a string literal the question does not
    /// spell while another candidate runs; <c>any</c> takes candidates as they come.</summary>
    public static Option<string> Literals()
    {
        var option = new Option<string>("--literals")
        {
            Description = "question: pass over candidates whose quoted values the question does not spell, while another candidate runs; any: no such preference",
            DefaultValueFactory = _ => "question",
        };
        option.AcceptOnlyFromAmong("question", "any");
        return option;
    }

    /// <summary>Whether a <see cref="Literals"/> value asks for the question's literals first.</summary>
    public static bool ParseLiterals(string value) => value == "question";

    /// <summary>The <see cref="SqlChoice"/> a <see cref="Choose"/> value names.</summary>
    public static SqlChoice ParseChoice(string value) => value switch
    {
        "first-runs" => SqlChoice.FirstRuns,
        "vote" => SqlChoice.Vote,
        _ => SqlChoice.FirstAnswer,
    };
}

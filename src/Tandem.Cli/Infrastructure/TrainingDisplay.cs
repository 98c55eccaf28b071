using Spectre.Console;
using Tandem.Training;

namespace Tandem.Cli.Infrastructure;

/// <summary>Shows a training run as it goes: on an interactive terminal a progress bar (steps, or the time budget
/// when that is further along) with log lines above it; otherwise plain progress lines.</summary>
internal static class TrainingDisplay
{
    /// <summary>Runs <paramref name="work"/> with the progress sink and log it should report to.</summary>
    /// <param name="plainEvery">In plain output, one progress line every this many steps.</param>
    /// <param name="work">The run, given the progress sink and the log.</param>
    public static T Run<T>(int plainEvery, Func<IProgress<TrainProgress>, Action<string>, T> work)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            return work(new PlainProgressWriter(Console.Out, plainEvery), Console.WriteLine);
        T result = default!;
        AnsiConsole.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("starting", maxValue: 1);
                result = work(new Progress<TrainProgress>(p =>
                {
                    task.Value = p.Fraction;
                    task.Description = Markup.Escape(p.ToString());
                }), line => AnsiConsole.MarkupLine(Markup.Escape(line)));
                task.Value = 1;
            });
        return result;
    }

    /// <summary>The display as an <see cref="ITrainingHost"/>, for experiments that chain several runs.</summary>
    public static ITrainingHost Host(int plainEvery) => new DisplayHost(plainEvery);

    sealed class DisplayHost(int plainEvery) : ITrainingHost
    {
        public T Run<T>(Func<IProgress<TrainProgress>, Action<string>, T> work) => TrainingDisplay.Run(plainEvery, work);

        public void Log(string line)
        {
            if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive) Console.WriteLine(line);
            else AnsiConsole.MarkupLine(Markup.Escape(line));
        }
    }
}

namespace Tandem.Training;

/// <summary>Runs a piece of training work under a display (a progress bar, a log): what a command that chains several
/// trainings (an experiment) hands the library so that each stage shows its progress.</summary>
public interface ITrainingHost
{
    /// <summary>Runs <paramref name="work"/> with a progress sink and a log, and returns its result.</summary>
    T Run<T>(Func<IProgress<TrainProgress>, Action<string>, T> work);

    /// <summary>A line for the person watching, between stages.</summary>
    void Log(string line);
}

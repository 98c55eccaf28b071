namespace Tandem.Tests.TestSupport;

/// <summary>Tests that rely on torch's global random generator (same seed = same run) must not share the process's
/// generator with tests running in parallel, and tests that change the C library's environment (<c>setenv</c> is not
/// safe while other threads read it); xunit runs this collection alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SequentialCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Uses torch's global RNG";
}

using Tandem.Tasks.Sql;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Tasks.Sql;

/// <summary>Rows saved one file each and merged into the generated markdown table.</summary>
public sealed class ResultsTableTests
{
    static ResultRow Row(string model, double em, double? ex) => new()
    {
        Model = model, Split = "geography question/test", Examples = 279, ExactMatch = em, ExecutionAccuracy = ex,
        Steps = 885, WallSeconds = 1800, Machine = "cpu, 2 cores, 7.6 GiB",
        Date = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), Command = "tandem experiment geoquery --model x",
    };

    [Fact]
    public void RowsRoundTripAndMergeInAFixedOrder()
    {
        using var dir = Paths.TempDir();
        string rows = dir["results"];
        Row("RND2RND", 0.0, 0.0).Save(rows);
        Row("MiniLM2MiniLM", 0.616, 0.674).Save(rows);
        Row("MiniLM2MiniLM", 0.7, 0.8).Save(rows);   // same model and split: replaces the earlier row
        Assert.Equal(2, Directory.GetFiles(rows).Length);
        var loaded = ResultsTable.LoadRows(rows);
        Assert.Contains(Row("MiniLM2MiniLM", 0.7, 0.8), loaded);

        ResultsTable.Write(rows, dir["docs/RESULTS.md"]);
        string md = File.ReadAllText(dir["docs/RESULTS.md"]);
        Assert.Contains("| MiniLM2MiniLM | geography question/test | 279 | 70.0 % | 80.0 % | train | 885 | 30 min 00 s |  | cpu, 2 cores, 7.6 GiB | 2025-01-02 | `tandem experiment geoquery --model x` |", md);
        Assert.True(md.IndexOf("MiniLM2MiniLM", StringComparison.Ordinal) < md.IndexOf("RND2RND", StringComparison.Ordinal));
        Assert.Contains("do not edit by hand", md);
    }

    [Fact]
    public void TheTrainingCellSaysWhatTheModelSaw()
    {
        var row = Row("m", 0.5, 0.6) with { Training = "train+dev, last checkpoint, EMA 0.995" };
        Assert.Contains("| 60.0 % | train+dev, last checkpoint, EMA 0.995 | 885 |", ResultsTable.Render([row]));
    }

    [Fact]
    public void TestTimeIsShownWhenTheRowHasIt()
    {
        Assert.Contains("| 30 min 00 s | 1 min 05 s | cpu", ResultsTable.Render([Row("m", 0.5, 0.6) with { TestSeconds = 65 }]));
    }

    [Fact]
    public void MissingExecutionAccuracyShowsNa()
    {
        Assert.Contains("| n/a |", ResultsTable.Render([Row("m", 0.5, null)]));
    }

    [Fact]
    public void MachineDescriptionNamesCoresAndMemory()
    {
        string m = MachineInfo.Describe();
        Assert.Contains($"{Environment.ProcessorCount} cores", m);
        if (File.Exists("/proc/meminfo")) Assert.Contains("GiB", m);
    }
}

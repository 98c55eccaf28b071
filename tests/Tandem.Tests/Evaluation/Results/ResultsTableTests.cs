using Tandem.Evaluation.Results;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Evaluation.Results;

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
    public void TestTimeIsShownWhenTheRowHasIt()
    {
        Assert.Contains("| 30 min 00 s | 1 min 05 s | cpu", ResultsTable.Render([Row("m", 0.5, 0.6) with { TestSeconds = 65 }]));
    }

    [Fact]
    public void TheTrainingCellSaysWhatTheModelSaw()
    {
        var row = Row("m", 0.5, 0.6) with { Training = "train+dev, last checkpoint, EMA 0.995" };
        Assert.Contains("| 60.0 % | train+dev, last checkpoint, EMA 0.995 | 885 |", ResultsTable.Render([row]));
    }

    [Fact]
    public void MissingExecutionAccuracyShowsNa()
    {
        Assert.Contains("| n/a |", ResultsTable.Render([Row("m", 0.5, null)]));
    }

    static ResultRow Translation(string model, double bleu) => new()
    {
        Model = model, Split = "Multi30k en-de test_2016_flickr", Examples = 1000, Bleu = bleu, BleuLowercase = bleu + 1.5,
        BleuSignature = "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.x", Training = "Multi30k train", Steps = 1200, WallSeconds = 1800,
        Machine = "cpu, 2 cores, 7.6 GiB", Date = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), Command = "tandem experiment multi30k",
    };

    [Fact]
    public void RowsWithABleuGetATranslationTableAfterTheSqlOne()
    {
        using var dir = Paths.TempDir();
        string rows = dir["results"];
        Row("MiniLM2MiniLM", 0.7, 0.8).Save(rows);
        Translation("MiniLM2RND", 20.5).Save(rows);
        Translation("MiniLM2GermanBERT", 31.25).Save(rows);
        Assert.Equal(31.25, ResultsTable.LoadRows(rows).Single(r => r.Model == "MiniLM2GermanBERT").Bleu);

        string md = ResultsTable.Render(ResultsTable.LoadRows(rows));
        int translation = md.IndexOf("## Translation", StringComparison.Ordinal);
        Assert.True(translation > md.IndexOf("| MiniLM2MiniLM | geography question/test |", StringComparison.Ordinal));
        Assert.Contains("| MiniLM2GermanBERT | Multi30k en-de test_2016_flickr | 1000 | 31.25 | 32.75 | nrefs:1\\|case:mixed\\|eff:no\\|tok:13a\\|smooth:exp\\|version:2.x | Multi30k train | 1200 | 30 min 00 s |  | cpu, 2 cores, 7.6 GiB | 2025-01-02 | `tandem experiment multi30k` |", md);
        Assert.True(md.IndexOf("| MiniLM2GermanBERT |", StringComparison.Ordinal) < md.IndexOf("| MiniLM2RND |", StringComparison.Ordinal));
        // the SQL table holds only the SQL row
        Assert.DoesNotContain("| MiniLM2RND | Multi30k en-de test_2016_flickr | 1000 | 0.0 %", md);
        Assert.Equal(md.Length, ResultsTable.Render(ResultsTable.LoadRows(rows).Reverse()).Length);
    }

    [Fact]
    public void WithoutTranslationRowsTheDocumentIsTheSqlTableAlone()
    {
        string md = ResultsTable.Render([Row("m", 0.5, 0.6)]);
        Assert.DoesNotContain("Translation", md);
        Assert.DoesNotContain("BLEU", md);
    }

    [Fact]
    public void MachineDescriptionNamesCoresAndMemory()
    {
        string m = MachineInfo.Describe();
        Assert.Contains($"{Environment.ProcessorCount} cores", m);
        if (File.Exists("/proc/meminfo")) Assert.Contains("GiB", m);
    }
}

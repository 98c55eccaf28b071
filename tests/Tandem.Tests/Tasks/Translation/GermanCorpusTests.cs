using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Tandem.Tasks.Translation;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Tasks.Translation;

/// <summary>The German pre-training corpus: its sources counted, and never a Multi30k test sentence in it.</summary>
public sealed class GermanCorpusTests
{
    static readonly string Data = Paths.Shared("data", "multi30k");

    [Fact]
    public void NoTestOrValidationSentenceEntersTheCorpusEvenFromAnotherSource()
    {
        using var dir = Paths.TempDir();
        // an extra source that repeats test sentences (and one of its own): they must be dropped and counted
        var leaked = Multi30kReader.TestStems.Select(s => Multi30kReader.Read(Data, s, "de")[3]).ToList();
        Directory.CreateDirectory(dir["extra"]);
        File.WriteAllLines(dir["extra/leak.txt"], [.. leaked.Select(l => "  " + l.Replace(" ", "  ")), "Ein ganz eigener deutscher Satz über Katzen."]);
        var man = dir["man/man1"];
        Directory.CreateDirectory(man);
        using (var gz = new GZipStream(File.Create(Path.Combine(man, "x.1.gz")), CompressionLevel.Fastest))
            gz.Write(Encoding.UTF8.GetBytes(".TH X 1\n.PP\nDieses Programm zeigt die Dateien eines Verzeichnisses an.\n"));

        var info = GermanCorpus.Build(Data, dir["man"], [dir["extra"]], dir["corpus"], multi30kCopies: 2);

        var test = Multi30kReader.TestStems.SelectMany(s => Multi30kReader.Read(Data, s, "de")).ToHashSet(StringComparer.Ordinal);
        var corpus = File.ReadAllLines(info.TrainFile);
        Assert.DoesNotContain(corpus, test.Contains);
        Assert.True(info.Excluded >= leaked.Count, $"{info.Excluded} excluded");
        Assert.Contains("Ein ganz eigener deutscher Satz über Katzen.", corpus);
        Assert.Contains("Dieses Programm zeigt die Dateien eines Verzeichnisses an.", corpus);
        // validation German is the held-out set, not training text
        Assert.Equal(1014, File.ReadAllLines(info.DevFile).Length);
        Assert.DoesNotContain(corpus, File.ReadAllLines(info.DevFile).ToHashSet(StringComparer.Ordinal).Contains);

        var json = JsonNode.Parse(File.ReadAllText(dir["corpus/corpus.json"]))!;
        var sources = json["sources"]!.AsArray();
        Assert.Equal(3, sources.Count);
        Assert.Equal("multi30k/train.de", sources[0]!["name"]!.GetValue<string>());
        int multi = sources[0]!["lines"]!.GetValue<int>();
        Assert.InRange(multi, 28000, 29000);   // train.de less its repeats and any line equal to a test sentence
        Assert.Equal(2, sources[0]!["copies"]!.GetValue<int>());
        Assert.Equal(1, sources[1]!["lines"]!.GetValue<int>());
        Assert.Equal(1, sources[2]!["lines"]!.GetValue<int>());
        Assert.Equal(2 * multi + 2, corpus.Length);
        Assert.Equal(corpus.Length, json["train_lines"]!.GetValue<int>());
    }

    [Fact]
    public void WithoutManualPagesTheCorpusIsMulti30ksGerman()
    {
        using var dir = Paths.TempDir();
        var info = GermanCorpus.Build(Data, dir["no-such-man-dir"], [], dir["corpus"], maxLinesPerSource: 100);
        Assert.Equal("multi30k/train.de", Assert.Single(info.Sources).Name);
        Assert.Equal(100, info.TrainLines);
    }
}

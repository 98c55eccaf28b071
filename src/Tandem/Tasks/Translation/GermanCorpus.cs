using System.Text.Json;
using System.Text.Json.Serialization;
using Tandem.Training;

namespace Tandem.Tasks.Translation;

/// <summary>Where the text of a pre-training corpus comes from, and how much of it there is.</summary>
/// <param name="Name">The source, e.g. <c>multi30k/train.de</c>.</param>
/// <param name="Lines">Distinct lines it added (before de-duplication across sources).</param>
/// <param name="Characters">Characters in those lines.</param>
/// <param name="Copies">How many times its lines stand in the training file.</param>
public sealed record CorpusSource(string Name, int Lines, long Characters, int Copies = 1);

/// <summary>A written German corpus: the files and what is in them.</summary>
public sealed record GermanCorpusInfo
{
    /// <summary>One sentence (or paragraph) a line, for pre-training and the vocabulary.</summary>
    public required string TrainFile { get; init; }
    /// <summary>Held-out lines for the pre-training's evaluation: Multi30k's validation German.</summary>
    public required string DevFile { get; init; }
    /// <summary>Lines in <see cref="TrainFile"/>, copies included.</summary>
    public int TrainLines { get; init; }
    /// <summary>Characters in <see cref="TrainFile"/>, copies included.</summary>
    public long TrainCharacters { get; init; }
    /// <summary>Lines in <see cref="DevFile"/>.</summary>
    public int DevLines { get; init; }
    /// <summary>Lines left out because they are a Multi30k test or validation sentence.</summary>
    public int Excluded { get; init; }
    /// <summary>The sources in the order read.</summary>
    public IReadOnlyList<CorpusSource> Sources { get; init; } = [];
}

/// <summary>
/// The German pre-training corpus of the translation experiment, German text only: Multi30k's training German
/// (<c>train.de</c>; never a validation or test file, and validation German is the held-out set), the prose of the
/// German manual pages when Debian's <c>manpages-de</c> is installed (<see cref="ManPageText"/>), and any extra
/// <c>*.txt</c> files given (one text a line). Lines are de-duplicated; a line equal to a sentence of any Multi30k test
/// set or of the validation set is dropped and counted, so no test sentence can be in it. Multi30k's lines may be
/// repeated (<c>copies</c>) so that the caption domain is not drowned by the manuals within a short pre-training.
/// </summary>
public static class GermanCorpus
{
    /// <summary>Debian's German manual pages.</summary>
    public const string DebianManDir = "/usr/share/man/de";

    /// <summary>Builds the corpus and writes <c>train.txt</c>, <c>dev.txt</c> and <c>corpus.json</c> into <paramref name="outDir"/>.</summary>
    /// <param name="multi30kDir">Multi30k's folder (with <c>task1/raw</c>).</param>
    /// <param name="manDir">German manual pages (<c>**/*.gz</c>), or null; a missing folder adds nothing.</param>
    /// <param name="extraDirs">Folders of further German <c>*.txt</c> files.</param>
    /// <param name="outDir">Where the corpus is written.</param>
    /// <param name="multi30kCopies">Times Multi30k's lines stand in the training file.</param>
    /// <param name="maxLinesPerSource">Keep at most this many lines of each source (0: all), for quick runs.</param>
    public static GermanCorpusInfo Build(string multi30kDir, string? manDir, IReadOnlyList<string> extraDirs, string outDir,
        int multi30kCopies = 1, int maxLinesPerSource = 0)
    {
        if (multi30kCopies < 1) throw new TandemException($"Multi30k copies must be at least 1, got {multi30kCopies}");
        var dev = Multi30kReader.Read(multi30kDir, Multi30kReader.Validation, "de");
        var excluded = Multi30kReader.TestStems.SelectMany(s => Multi30kReader.Read(multi30kDir, s, "de"))
            .Concat(dev).Select(Key).ToHashSet(StringComparer.Ordinal);
        var sources = new List<(string Name, int Copies, IEnumerable<string> Lines)>
        {
            ("multi30k/train.de", multi30kCopies, Multi30kReader.Read(multi30kDir, Multi30kReader.Train, "de")),
        };
        if (manDir is not null && Directory.Exists(manDir))
            sources.Add(($"manpages-de ({manDir})", 1, Directory.GetFiles(manDir, "*.gz", SearchOption.AllDirectories)
                .Order(StringComparer.Ordinal).SelectMany(ManPageText.ReadPage)));
        foreach (var dir in extraDirs)
        {
            if (!Directory.Exists(dir)) throw new TandemException($"{dir}: extra corpus folder not found");
            sources.Add((dir, 1, Directory.GetFiles(dir, "*.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal).SelectMany(File.ReadLines)));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var train = new List<string>();
        var counted = new List<CorpusSource>();
        int dropped = 0;
        foreach (var (name, copies, lines) in sources)
        {
            var added = new List<string>();
            foreach (var raw in lines)
            {
                var line = string.Join(' ', raw.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
                if (line.Length == 0) continue;
                if (excluded.Contains(Key(line))) { dropped++; continue; }
                if (seen.Add(line)) added.Add(line);
                if (maxLinesPerSource > 0 && added.Count >= maxLinesPerSource) break;
            }
            counted.Add(new CorpusSource(name, added.Count, added.Sum(l => (long)l.Length + 1), copies));
            for (int k = 0; k < copies; k++) train.AddRange(added);
        }
        // a fixed order that mixes the sources (blocks pack neighbouring lines) and keeps copies apart
        var ordered = train.ToArray();
        new Random(1).Shuffle(ordered);
        Directory.CreateDirectory(outDir);
        var info = new GermanCorpusInfo
        {
            TrainFile = Path.Combine(outDir, "train.txt"),
            DevFile = Path.Combine(outDir, "dev.txt"),
            TrainLines = ordered.Length,
            TrainCharacters = ordered.Sum(l => (long)l.Length + 1),
            DevLines = dev.Count,
            Excluded = dropped,
            Sources = counted,
        };
        AtomicFile.WriteAllText(info.TrainFile, string.Join("\n", ordered) + "\n");
        AtomicFile.WriteAllText(info.DevFile, string.Join("\n", dev) + "\n");
        AtomicFile.WriteAllText(Path.Combine(outDir, "corpus.json"), JsonSerializer.Serialize(info, Json) + "\n");
        return info;
    }

    /// <summary>What two lines must share to count as the same sentence: the words, spacing ignored.</summary>
    static string Key(string line) => string.Join(' ', line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never };
}

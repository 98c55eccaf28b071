using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Tandem.Training;

namespace Tandem.Tasks.Sql.Experiments;

/// <summary>Where the SQL of a pre-training corpus comes from, and how much of it there is.</summary>
/// <param name="Name">The source, e.g. <c>text2sql-data/atis</c>.</param>
/// <param name="Queries">Distinct queries it added (after normalisation, before de-duplication across sources).</param>
public sealed record SqlCorpusSource(string Name, int Queries);

/// <summary>A written corpus: the files and what is in them.</summary>
public sealed record SqlCorpusInfo
{
    /// <summary>One query a line, for pre-training.</summary>
    public required string TrainFile { get; init; }
    /// <summary>Held-out queries (about 2 %), for the pre-training's evaluation.</summary>
    public required string DevFile { get; init; }
    /// <summary>Queries in <see cref="TrainFile"/>.</summary>
    public int TrainQueries { get; init; }
    /// <summary>Queries in <see cref="DevFile"/>.</summary>
    public int DevQueries { get; init; }
    /// <summary>Characters in <see cref="TrainFile"/>.</summary>
    public long TrainCharacters { get; init; }
    /// <summary>Queries left out because they are (after normalisation) one of the excluded dataset's queries.</summary>
    public int Excluded { get; init; }
    /// <summary>The sources in the order read.</summary>
    public IReadOnlyList<SqlCorpusSource> Sources { get; init; } = [];
}

/// <summary>
/// The SQL pre-training corpus of the Boss2SQL experiment: the gold queries of every text2sql-data domain except the
/// one fine-tuned and tested on (GeoQuery's <c>geography</c>), plus Spider dev and KaggleDBQA, each in the form the
/// decoder will write (<see cref="SqlTargetNormalizer"/>), de-duplicated. No query of the excluded dataset enters it:
/// besides leaving its file out, any query equal to one of its normalised queries is dropped (and counted). WikiSQL's
/// compressed file is left out: its 80,000 single-table queries over placeholder table names would make most of the
/// corpus, in one flat form unlike the joins and nesting of the text2sql-data domains.
/// </summary>
public static class SqlCorpus
{
    /// <summary>Builds the corpus from <paramref name="text2SqlData"/> (its <c>data/*.json</c>),
    /// <paramref name="spiderDir"/> and <paramref name="kaggleDbqaDir"/> (either may be null), without
    /// <paramref name="exclude"/>, and writes <c>train.txt</c>, <c>dev.txt</c> and <c>corpus.json</c> into
    /// <paramref name="outDir"/>.</summary>
    public static SqlCorpusInfo Build(string text2SqlData, string? spiderDir, string? kaggleDbqaDir, string outDir, string exclude = "geography")
    {
        var excluded = Text2SqlReader.ReadDataset(text2SqlData, exclude).Select(e => SqlTargetNormalizer.Normalize(e.Sql)).ToHashSet(StringComparer.Ordinal);
        var sources = new List<(string Name, IEnumerable<string> Sql)>();
        var dataDir = Path.Combine(text2SqlData, "data");
        foreach (var file in Directory.GetFiles(dataDir, "*.json").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (name == exclude) continue;
            sources.Add(($"text2sql-data/{name}", Text2SqlReader.Read(file).Select(e => e.Sql)));
        }
        if (spiderDir is not null) sources.Add(("spider dev", SpiderReader.Read(spiderDir).Select(e => e.Sql)));
        if (kaggleDbqaDir is not null)
            foreach (var file in Directory.GetFiles(Path.Combine(kaggleDbqaDir, "examples"), "*.json").Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileNameWithoutExtension(file);
                if (name.EndsWith("_test", StringComparison.Ordinal) || name.EndsWith("_fewshot", StringComparison.Ordinal)) continue;   // <db>.json holds both
                sources.Add(($"kaggledbqa/{name}", SpiderReader.Read(Path.GetDirectoryName(file)!, Path.GetFileName(file), "all").Select(e => e.Sql)));
            }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var counted = new List<SqlCorpusSource>();
        int dropped = 0;
        foreach (var (name, sql) in sources)
        {
            int added = 0;
            foreach (var query in sql)
            {
                var line = OneLine(SqlTargetNormalizer.Normalize(query));
                if (line.Length == 0) continue;
                if (excluded.Contains(line)) { dropped++; continue; }
                if (seen.Add(line)) added++;
            }
            counted.Add(new SqlCorpusSource(name, added));
        }
        if (seen.Count == 0) throw new TandemException($"{text2SqlData}: no SQL found for the corpus");
        // a fixed order that mixes the sources (blocks pack neighbouring lines), and a held-out ~2 % for evaluation
        var ordered = seen.OrderBy(SqlSplits.StableHash).ThenBy(s => s, StringComparer.Ordinal).ToList();
        var dev = ordered.Where((_, i) => i % 50 == 0).ToList();
        var train = ordered.Where((_, i) => i % 50 != 0).ToList();
        Directory.CreateDirectory(outDir);
        var info = new SqlCorpusInfo
        {
            TrainFile = Path.Combine(outDir, "train.txt"),
            DevFile = Path.Combine(outDir, "dev.txt"),
            TrainQueries = train.Count,
            DevQueries = dev.Count,
            TrainCharacters = train.Sum(l => (long)l.Length + 1),
            Excluded = dropped,
            Sources = counted,
        };
        AtomicFile.WriteAllText(info.TrainFile, string.Join("\n", train) + "\n");
        AtomicFile.WriteAllText(info.DevFile, string.Join("\n", dev) + "\n");
        AtomicFile.WriteAllText(Path.Combine(outDir, "corpus.json"), JsonSerializer.Serialize(info, Json) + "\n");
        return info;
    }

    /// <summary>Reads the <c>corpus.json</c> <see cref="Build"/> wrote into <paramref name="dir"/>.</summary>
    public static SqlCorpusInfo Load(string dir)
    {
        var path = Path.Combine(dir, "corpus.json");
        try { return JsonSerializer.Deserialize<SqlCorpusInfo>(File.ReadAllText(path), Json) ?? throw new TandemException($"{path}: empty"); }
        catch (Exception e) when (e is JsonException or IOException) { throw new TandemException($"{path}: not a corpus description ({e.Message})", e); }
    }

    static string OneLine(string sql)
    {
        var sb = new StringBuilder(sql.Length);
        foreach (char c in sql) sb.Append(c is '\n' or '\r' or '\t' ? ' ' : c);
        return sb.ToString().Trim();
    }

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never };
}

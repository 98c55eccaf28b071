using System.Globalization;
using Tandem.Pretrained;
using Tandem.Pretraining;
using Tandem.Tokenization.Training;
using Tandem.Training;

namespace Tandem.Tasks.Sql.Experiments;

/// <summary>Options of the SQL-BERT experiment (<see cref="SqlBertExperiment"/>).</summary>
public sealed class SqlBertOptions
{
    /// <summary>The text2sql-data folder (GeoQuery for the rows, the other domains for the corpus).</summary>
    public required string DataDir { get; init; }
    /// <summary>Spider's folder (its dev queries join the corpus), or null.</summary>
    public string? SpiderDir { get; init; }
    /// <summary>KaggleDBQA's folder (its queries join the corpus), or null.</summary>
    public string? KaggleDbqaDir { get; init; }
    /// <summary>Size of the SQL WordPiece vocabulary.</summary>
    public int VocabSize { get; init; } = 4000;
    /// <summary>Pre-training budget of the SQL-BERT (from scratch), in minutes.</summary>
    public double PretrainMinutes { get; init; } = 20;
    /// <summary>Budget of continuing MiniLM's masked-LM training on the SQL corpus, in minutes.</summary>
    public double ContinueMinutes { get; init; } = 10;
    /// <summary>Fine-tuning budget of each row (the GeoQuery rows' budget).</summary>
    public double Minutes { get; init; } = 20;
    /// <summary>The rows to run: <c>sqlbert</c>, <c>rnd-sql</c>, <c>minilm-sql</c>.</summary>
    public IReadOnlyList<string> Rows { get; init; } = AllRows;
    /// <summary>Keep a finished pre-training (its folder has a checkpoint) instead of running it again.</summary>
    public bool Reuse { get; init; }
    /// <summary>Random seed.</summary>
    public int Seed { get; init; } = 1;
    /// <summary>Folder of the corpus, the vocabulary, the pre-training runs and the rows' runs.</summary>
    public string RunDir { get; init; } = "runs/sqlbert";
    /// <summary>Folder of result rows.</summary>
    public string ResultsDir { get; init; } = "docs/results";
    /// <summary>The generated results table.</summary>
    public string ResultsFile { get; init; } = "docs/RESULTS.md";
    /// <summary>The command line as typed, recorded in the rows.</summary>
    public string Command { get; init; } = "";
    /// <summary>Embedded model cache.</summary>
    public string? CacheDir { get; init; }

    /// <summary>Every row, in table order.</summary>
    public static IReadOnlyList<string> AllRows { get; } = ["sqlbert", "rnd-sql", "minilm-sql"];
}

/// <summary>
/// Boss2SQL with a decoder pre-trained on SQL (issue "Pre-train your own BERT"): an English encoder (the embedded
/// MiniLM) and a decoder that learnt SQL before it saw a question. In one command:
/// <list type="number">
/// <item>the SQL corpus (<see cref="SqlCorpus"/>: every text2sql-data domain but geography, Spider dev, KaggleDBQA);</item>
/// <item>a lower-cased WordPiece vocabulary of the corpus (<see cref="WordPieceTrainer"/>);</item>
/// <item>SQLBERT: MiniLM's shape (6 layers, 384 wide) with that vocabulary, masked-LM pre-trained from scratch on the corpus;</item>
/// <item>MiniLM-SQL: MiniLM's own weights and vocabulary, masked-LM training continued on the corpus;</item>
/// <item>three GeoQuery question-split rows with the rows' recipe and budget (<see cref="GeoQueryExperiment"/>):
/// MiniLM2SQLBERT, MiniLM2RND-SQL (SQLBERT's shape and vocabulary, random: what pre-training adds) and
/// MiniLM2MiniLM-SQL; each row states its decoder's pre-training budget beside its own.</item>
/// </list>
/// </summary>
public static class SqlBertExperiment
{
    /// <summary>Runs the stages and the rows; returns the rows' results.</summary>
    public static IReadOnlyList<ExperimentResult> Run(SqlBertOptions o, ITrainingHost host)
    {
        Action<string> log = host.Log;
        foreach (var row in o.Rows)
            if (!SqlBertOptions.AllRows.Contains(row)) throw new TandemException($"unknown row '{row}' (known: {string.Join(", ", SqlBertOptions.AllRows)})");
        var minilm = EmbeddedModels.Resolve("minilm", o.CacheDir);
        var corpus = SqlCorpus.Build(o.DataDir, o.SpiderDir, o.KaggleDbqaDir, Path.Combine(o.RunDir, "corpus"));
        log($"SQL corpus: {corpus.TrainQueries} queries ({corpus.TrainCharacters / 1e6:F1} M characters) + {corpus.DevQueries} held out; "
            + $"{corpus.Excluded} GeoQuery queries left out; " + string.Join(", ", corpus.Sources.Select(s => $"{s.Name} {s.Queries}")));

        // SQLBERT's shape: MiniLM's config with the SQL vocabulary, in a folder with that vocabulary (its random twin's too)
        var shape = Path.Combine(o.RunDir, "sqlbert-shape");
        var vocab = ModelShape.Create(minilm, [corpus.TrainFile], new VocabularyTrainingOptions { VocabSize = o.VocabSize, Lowercase = true }, shape);
        log($"SQL vocabulary: {vocab.VocabSize} WordPiece tokens ({shape})");

        string? sqlBert = null, minilmSql = null;
        string? sqlBertNote = null, minilmSqlNote = null;
        if (o.Rows.Contains("sqlbert"))
            (sqlBert, sqlBertNote) = Pretrain(o, "sqlbert-pretrain", "random:" + ModelShape.ConfigPath(shape), shape, corpus, o.PretrainMinutes, 5e-4,
                "decoder: SQLBERT, pre-trained from scratch", host);
        if (o.Rows.Contains("minilm-sql"))
            (minilmSql, minilmSqlNote) = Pretrain(o, "minilm-sql-pretrain", minilm, minilm, corpus, o.ContinueMinutes, 1e-4,
                "decoder: MiniLM, masked-LM training continued", host);

        var results = new List<ExperimentResult>();
        foreach (var row in o.Rows)
        {
            var (variant, decoder, name, note) = row switch
            {
                "sqlbert" => ("bert2dec", sqlBert!, "MiniLM2SQLBERT", sqlBertNote!),
                "rnd-sql" => ("bert2rnd-dec", shape, "MiniLM2RND-SQL", $"decoder: random, SQLBERT's shape and {vocab.VocabSize}-token SQL vocabulary"),
                _ => ("bert2dec", minilmSql!, "MiniLM2MiniLM-SQL", minilmSqlNote!),
            };
            var options = new ExperimentOptions
            {
                Variant = variant, Decoder = decoder, ModelName = name, TrainingNote = note, DataDir = o.DataDir, Minutes = o.Minutes,
                Seed = o.Seed, RunDir = Path.Combine(o.RunDir, "geoquery"), ResultsDir = o.ResultsDir, ResultsFile = o.ResultsFile,
                CacheDir = o.CacheDir, Command = o.Command,
            };
            log($"{name}: {note}; fine-tuning budget {o.Minutes:G4} min");
            results.Add(host.Run((progress, rowLog) => GeoQueryExperiment.Run(options, progress, rowLog)));
        }
        return results;
    }

    /// <summary>Masked-LM training of <paramref name="model"/> on the corpus within <paramref name="minutes"/>; returns
    /// the last checkpoint and the budget sentence for the rows.</summary>
    static (string Checkpoint, string Note) Pretrain(SqlBertOptions o, string name, string model, string tokenizer, SqlCorpusInfo corpus,
        double minutes, double lr, string what, ITrainingHost host)
    {
        var stage = new MaskedLMStage
        {
            Name = name, Model = model, Tokenizer = tokenizer, TrainFile = corpus.TrainFile, DevFile = corpus.DevFile,
            Minutes = minutes, LearningRate = lr, Seed = o.Seed,
        };
        var outcome = stage.Run(o.RunDir, o.Reuse, host);
        var note = string.Create(CultureInfo.InvariantCulture,
            $"{what} on {corpus.TrainQueries:N0} SQL queries ({outcome.CorpusTokens / 1e6:F2} M tokens), {outcome.Budget}");
        host.Log($"{name}: {note}");
        return (outcome.Checkpoint, note);
    }
}

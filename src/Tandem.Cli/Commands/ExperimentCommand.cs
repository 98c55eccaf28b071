using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Tandem.Cli.Infrastructure;
using Tandem.Pipelines;
using Tandem.Tasks.Sql;
using Tandem.Tasks.Sql.Experiments;
using Tandem.Tasks.Translation;

namespace Tandem.Cli.Commands;

/// <summary><c>tandem experiment geoquery</c>: fine-tune on GeoQuery, report test accuracy, answer a sample question;
/// <c>tandem experiment sqlbert</c> and <c>multi30k</c>: pre-train a decoder and compare rows with and without it
/// (<c>tandem experiment restaurants</c>: <see cref="RestaurantsCommand"/>).</summary>
internal static class ExperimentCommand
{
    public static Command Create()
    {
        var variants = new Option<string>("--model") { Description = $"Variant(s), comma separated, or all: {string.Join(", ", ExperimentVariant.All.Select(v => v.Name))}", DefaultValueFactory = _ => "bert2bert" };
        var split = new Option<string>("--split") { Description = "question (unseen questions) or query (unseen SQL structures)", DefaultValueFactory = _ => "question" };
        var minutes = new Option<double>("--minutes") { Description = "Training time budget per model", DefaultValueFactory = _ => 20 };
        var data = new Option<string?>("--data") { Description = "The text2sql-data folder (default: ../shared/data/text2sql-data or shared/data/text2sql-data)" };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate", DefaultValueFactory = _ => 1e-4 };
        var beams = new Option<int>("--num-beams") { Description = "Beam width at test time", DefaultValueFactory = _ => 1 };
        var candidates = new Option<int>("--candidates") { Description = "Beam candidates to choose from at test time (execution-guided, see --choose and --literals; 4 was chosen on held-out folds); 1: the model's best as it is", DefaultValueFactory = _ => 4 };
        var choose = CommonOptions.Choose();
        var literals = CommonOptions.Literals();
        var precision = new Option<string>("--precision") { Description = "bf16 (matrix products in bfloat16, float32 master weights) or fp32", DefaultValueFactory = _ => "bf16" };
        var checkpoint = new Option<string[]>("--checkpoint") { Description = "Skip training: evaluate this model folder (a checkpoint of an earlier run); repeat it for an ensemble", Arity = ArgumentArity.ZeroOrMore };
        var ensemble = new Option<int>("--ensemble") { Description = "Train N models with different seeds, --minutes / N each, and decode with them together", DefaultValueFactory = _ => 1 };
        var evalSplit = new Option<string>("--eval-split") { Description = "test (reported once; writes the row) or dev (for choices; no row)", DefaultValueFactory = _ => "test" };
        var noLink = new Option<bool>("--no-value-linking") { Description = "Do not repair copied names with the database's values" };
        var constrain = new Option<bool>("--schema-constraint") { Description = "Decode with only the database's tables and columns where SQL calls for one" };
        var augment = new Option<int>("--augment") { Description = "Re-filled copies of each training question with other database values of the same type (0: none)", DefaultValueFactory = _ => 0 };
        var ema = new Option<double>("--ema") { Description = "Moving average of the weights for evaluation and checkpoints (0: off; 0.995 was chosen on dev)", DefaultValueFactory = _ => 0.995 };
        var trainOn = new Option<string>("--train-on") { Description = "train+dev (upstream's test-time protocol; the last checkpoint is tested) or train (dev picks the checkpoint; use with --eval-split dev for choices)", DefaultValueFactory = _ => "train+dev" };
        var fold = new Option<string?>("--fold") { Description = "I/K: cross-validation for choices: train+dev in K folds, fold I (0-based) evaluated with --eval-split dev, training on the rest as a row does" };
        var smoothing = new Option<double>("--label-smoothing") { Description = "Label smoothing of the training loss (0: off; 0.1 was chosen on held-out folds)", DefaultValueFactory = _ => 0.1 };
        var seed = new Option<int>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 1 };
        var runDir = new Option<string>("--run-dir") { Description = "Where runs are written", DefaultValueFactory = _ => "runs/geoquery" };
        var resultsDir = new Option<string>("--results-dir") { Description = "Result rows (one JSON file per row)", DefaultValueFactory = _ => "docs/results" };
        var results = new Option<string>("--results") { Description = "The generated table", DefaultValueFactory = _ => "docs/RESULTS.md" };
        var sample = new Option<string>("--sample") { Description = "A question to answer with the trained model", DefaultValueFactory = _ => "which state has the largest population ?" };
        var geo = new Command("geoquery", "Fine-tune on GeoQuery (train+dev by default, or train with dev picking the checkpoint), report exact match and execution accuracy on test, answer a sample question")
        {
            variants, split, minutes, ensemble, data, lr, beams, candidates, choose, literals, precision, checkpoint, evalSplit, noLink, constrain, augment, ema, trainOn, fold, smoothing, seed, runDir, resultsDir, results, sample, CommonOptions.CacheDir,
        };
        geo.SetHandler(parse =>
        {
            var dataDir = parse.GetValue(data) ?? FindData();
            var kind = parse.GetValue(split) switch
            {
                "question" => Text2SqlSplitKind.Question,
                "query" => Text2SqlSplitKind.Query,
                var s => throw new TandemException($"--split must be question or query, got '{s}'"),
            };
            bool trainOnDev = parse.GetValue(trainOn) switch
            {
                "train+dev" => true,
                "train" => false,
                var s => throw new TandemException($"--train-on must be train or train+dev, got '{s}'"),
            };
            var choice = CommonOptions.ParseChoice(parse.GetValue(choose)!);
            bool questionLiterals = CommonOptions.ParseLiterals(parse.GetValue(literals)!);
            var heldOut = ParseFold(parse.GetValue(fold));
            var names = parse.GetValue(variants)!;
            var chosen = names == "all" ? ExperimentVariant.All : names.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(ExperimentVariant.Find).ToList();
            ExperimentResult? last = null;
            foreach (var v in chosen)
            {
                var options = new ExperimentOptions
                {
                    Variant = v.Name, Split = kind, DataDir = dataDir, Minutes = parse.GetValue(minutes), LearningRate = parse.GetValue(lr),
                    NumBeams = parse.GetValue(beams), Candidates = parse.GetValue(candidates), Choice = choice, QuestionLiterals = questionLiterals, Precision = parse.GetValue(precision)!, Checkpoints = parse.GetValue(checkpoint) ?? [], Ensemble = parse.GetValue(ensemble), EvalSplit = parse.GetValue(evalSplit)!, LinkValues = !parse.GetValue(noLink), SchemaConstraint = parse.GetValue(constrain), Augment = parse.GetValue(augment), EmaDecay = parse.GetValue(ema), TrainOnDev = trainOnDev, Fold = heldOut, LabelSmoothing = parse.GetValue(smoothing), Seed = parse.GetValue(seed), RunDir = parse.GetValue(runDir)!,
                    ResultsDir = parse.GetValue(resultsDir)!, ResultsFile = parse.GetValue(results)!, CacheDir = parse.GetValue(CommonOptions.CacheDir),
                    Command = RecipeOptions.CommandLine,
                };
                AnsiConsole.MarkupLine($"[bold]{Markup.Escape(v.TableName)}[/]: {Markup.Escape(v.Description)}; budget {options.Minutes:G4} min");
                last = TrainWithProgress(options);
                var row = last.Row;
                AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                    $"[bold]{Markup.Escape(row.Model)}[/] {Markup.Escape(row.Split)}: exact match [bold]{row.ExactMatch:P1}[/], execution accuracy [bold]{row.ExecutionAccuracy:P1}[/] ({row.Examples} questions, {row.Steps} steps, {row.WallSeconds / 60:F1} min)"));
                AnsiConsole.MarkupLine(options.EvalSplit == "test"
                    ? $"results: {Markup.Escape(options.ResultsFile)}"
                    : "dev evaluation: no row written (rows report test)");
            }
            if (last is not null) AnswerSample(last, parse.GetValue(sample)!, parse.GetValue(candidates), choice, questionLiterals);
            return 0;
        });
        return new Command("experiment", "Reproducible experiments that write docs/RESULTS.md") { geo, SqlBert(), Multi30k(), RestaurantsCommand.Create() };
    }

    static Command SqlBert()
    {
        var data = new Option<string?>("--data") { Description = "The text2sql-data folder (default: ../shared/data/text2sql-data or shared/data/text2sql-data)" };
        var spider = new Option<string?>("--spider") { Description = "Spider's folder, whose dev queries join the corpus (default: spider-dev beside text2sql-data, when there)" };
        var kaggle = new Option<string?>("--kaggledbqa") { Description = "KaggleDBQA's folder, whose queries join the corpus (default: kaggledbqa beside text2sql-data, when there)" };
        var vocabSize = new Option<int>("--vocab-size") { Description = "Size of the SQL WordPiece vocabulary", DefaultValueFactory = _ => 4000 };
        var pretrain = new Option<double>("--pretrain-minutes") { Description = "Budget of SQLBERT's pre-training from scratch", DefaultValueFactory = _ => 20 };
        var continued = new Option<double>("--continue-minutes") { Description = "Budget of continuing MiniLM's masked-LM training on SQL", DefaultValueFactory = _ => 10 };
        var minutes = new Option<double>("--minutes") { Description = "Fine-tuning budget of each GeoQuery row (the other rows' budget)", DefaultValueFactory = _ => 20 };
        var rows = new Option<string>("--rows") { Description = $"Rows to run, comma separated: {string.Join(", ", SqlBertOptions.AllRows)}", DefaultValueFactory = _ => string.Join(",", SqlBertOptions.AllRows) };
        var reuse = new Option<bool>("--reuse") { Description = "Keep a pre-training that already has a checkpoint in the run folder instead of running it again" };
        var seed = new Option<int>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 1 };
        var runDir = new Option<string>("--run-dir") { Description = "Where the corpus, vocabulary and runs are written", DefaultValueFactory = _ => "runs/sqlbert" };
        var resultsDir = new Option<string>("--results-dir") { Description = "Result rows (one JSON file per row)", DefaultValueFactory = _ => "docs/results" };
        var results = new Option<string>("--results") { Description = "The generated table", DefaultValueFactory = _ => "docs/RESULTS.md" };
        var command = new Command("sqlbert", "Boss2SQL with a SQL-BERT decoder: build a SQL corpus (no GeoQuery query in it), train its vocabulary, pre-train a BERT on it from scratch and continue MiniLM on it, then fine-tune MiniLM2SQLBERT, MiniLM2RND-SQL and MiniLM2MiniLM-SQL on GeoQuery and write their rows")
        {
            data, spider, kaggle, vocabSize, pretrain, continued, minutes, rows, reuse, seed, runDir, resultsDir, results, CommonOptions.CacheDir,
        };
        command.SetHandler(parse =>
        {
            var dataDir = parse.GetValue(data) ?? FindData();
            string? Beside(string name) => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(dataDir))!, name) is var d && Directory.Exists(d) ? d : null;
            var options = new SqlBertOptions
            {
                DataDir = dataDir, SpiderDir = parse.GetValue(spider) ?? Beside("spider-dev"), KaggleDbqaDir = parse.GetValue(kaggle) ?? Beside("kaggledbqa"),
                VocabSize = parse.GetValue(vocabSize), PretrainMinutes = parse.GetValue(pretrain), ContinueMinutes = parse.GetValue(continued), Minutes = parse.GetValue(minutes),
                Rows = parse.GetValue(rows)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), Reuse = parse.GetValue(reuse), Seed = parse.GetValue(seed),
                RunDir = parse.GetValue(runDir)!, ResultsDir = parse.GetValue(resultsDir)!, ResultsFile = parse.GetValue(results)!, CacheDir = parse.GetValue(CommonOptions.CacheDir),
                Command = "tandem " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
            };
            foreach (var r in SqlBertExperiment.Run(options, TrainingDisplay.Host(10)))
                AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                    $"[bold]{Markup.Escape(r.Row.Model)}[/]: exact match [bold]{r.Row.ExactMatch:P1}[/], execution accuracy [bold]{r.Row.ExecutionAccuracy:P1}[/] ({r.Row.Examples} questions, {r.Row.Steps} steps, test decoding {r.Row.TestSeconds:F0} s)"));
            AnsiConsole.MarkupLine($"results: {Markup.Escape(options.ResultsFile)}");
            return 0;
        });
        return command;
    }

    static Command Multi30k()
    {
        var data = new Option<string?>("--data") { Description = "Multi30k's folder, with task1/raw (default: ../shared/data/multi30k or shared/data/multi30k)" };
        var manDir = new Option<string>("--man-dir") { Description = "German manual pages for the corpus (Debian's manpages-de); skipped when missing", DefaultValueFactory = _ => GermanCorpus.DebianManDir };
        var extra = new Option<string[]>("--extra-corpus") { Description = "A folder of further German *.txt files (one text a line) for the corpus; repeatable", Arity = ArgumentArity.ZeroOrMore };
        var copies = new Option<int>("--multi30k-copies") { Description = "Times Multi30k's training German stands in the corpus (keeps the captions' share against the manuals)", DefaultValueFactory = _ => 4 };
        var vocabSize = new Option<int>("--vocab-size") { Description = "Size of the cased German WordPiece vocabulary", DefaultValueFactory = _ => 8000 };
        var pretrain = new Option<double>("--pretrain-minutes") { Description = "Budget of GermanBERT's masked-LM pre-training from scratch", DefaultValueFactory = _ => 30 };
        var pretrainLr = new Option<double>("--pretrain-lr") { Description = "Peak learning rate of GermanBERT's pre-training", DefaultValueFactory = _ => 5e-4 };
        var pretrainTokens = new Option<int>("--pretrain-max-tokens") { Description = "Token budget of a pre-training batch (blocks of 128 tokens; 2048 was chosen in 6-minute probes on the held-out German)", DefaultValueFactory = _ => 2048 };
        var minutes = new Option<double>("--minutes") { Description = "Fine-tuning budget of each row", DefaultValueFactory = _ => 30 };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate of the rows", DefaultValueFactory = _ => 1e-4 };
        var beams = new Option<int>("--num-beams") { Description = "Beam width at test time", DefaultValueFactory = _ => 4 };
        var rows = new Option<string>("--rows") { Description = $"Rows to run, comma separated: {string.Join(", ", TranslationOptions.AllRows)}", DefaultValueFactory = _ => string.Join(",", TranslationOptions.AllRows) };
        var reuse = new Option<bool>("--reuse") { Description = "Keep a pre-training that already has a checkpoint in the run folder instead of running it again" };
        var maxTrain = new Option<int>("--max-train") { Description = "Train on the first N pairs only (a quick check of the command, not a result)", Hidden = true };
        var maxTest = new Option<int>("--max-test") { Description = "Test on the first N sentences only (a quick check of the command, not a result)", Hidden = true };
        var maxCorpus = new Option<int>("--max-corpus-lines") { Description = "Keep at most N lines of each corpus source (a quick check)", Hidden = true };
        var seed = new Option<int>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 1 };
        var runDir = new Option<string>("--run-dir") { Description = "Where the corpus, vocabulary and runs are written", DefaultValueFactory = _ => "runs/multi30k" };
        var resultsDir = new Option<string>("--results-dir") { Description = "Result rows (one JSON file per row)", DefaultValueFactory = _ => "docs/results" };
        var results = new Option<string>("--results") { Description = "The generated table", DefaultValueFactory = _ => "docs/RESULTS.md" };
        var command = new Command("multi30k", "Translation from two monolingual models, Multi30k English to German: build a German corpus (no Multi30k test sentence), train its cased vocabulary, pre-train a German BERT on it from scratch, then fine-tune MiniLM2GermanBERT, MiniLM2RND and RND2RND and write their BLEU on test 2016 Flickr")
        {
            data, manDir, extra, copies, vocabSize, pretrain, pretrainLr, pretrainTokens, minutes, lr, beams, rows, reuse, maxTrain, maxTest, maxCorpus, seed, runDir, resultsDir, results, CommonOptions.CacheDir,
        };
        command.SetHandler(parse =>
        {
            var options = new TranslationOptions
            {
                DataDir = parse.GetValue(data) ?? FindData("multi30k", "the folder with task1/raw"), ManDir = parse.GetValue(manDir), ExtraCorpus = parse.GetValue(extra) ?? [],
                Multi30kCopies = parse.GetValue(copies), VocabSize = parse.GetValue(vocabSize), PretrainMinutes = parse.GetValue(pretrain), Minutes = parse.GetValue(minutes),
                PretrainLearningRate = parse.GetValue(pretrainLr), PretrainMaxTokens = parse.GetValue(pretrainTokens), LearningRate = parse.GetValue(lr), NumBeams = parse.GetValue(beams),
                Rows = parse.GetValue(rows)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), Reuse = parse.GetValue(reuse),
                MaxTrain = parse.GetValue(maxTrain), MaxTest = parse.GetValue(maxTest), MaxCorpusLines = parse.GetValue(maxCorpus), Seed = parse.GetValue(seed),
                RunDir = parse.GetValue(runDir)!, ResultsDir = parse.GetValue(resultsDir)!, ResultsFile = parse.GetValue(results)!, CacheDir = parse.GetValue(CommonOptions.CacheDir),
                Command = "tandem " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
            };
            foreach (var r in TranslationExperiment.Run(options, TrainingDisplay.Host(10)))
                AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                    $"[bold]{Markup.Escape(r.Row.Model)}[/]: BLEU [bold]{r.Row.Bleu:F2}[/] ({Markup.Escape(r.Row.BleuSignature ?? "")}), lower-cased {r.Row.BleuLowercase:F2} ({r.Row.Examples} sentences, {r.Row.Steps} steps, test decoding {r.Row.TestSeconds:F0} s)"));
            AnsiConsole.MarkupLine($"results: {Markup.Escape(options.ResultsFile)}");
            return 0;
        });
        return command;
    }

    static ExperimentResult TrainWithProgress(ExperimentOptions options) =>
        TrainingDisplay.Run(10, (progress, log) => GeoQueryExperiment.Run(options, progress, log));

    static void AnswerSample(ExperimentResult result, string question, int candidates, SqlChoice choice, bool questionLiterals)
    {
        using var pipeline = Seq2SeqPipeline.Load(result.ModelDirs);
        using var db = ReadOnlyDatabase.Open(result.DatabasePath);
        var answer = SqlAsker.Ask(pipeline, db, [question], pipeline.Model.GenerationConfig, candidates, choice: choice, questionLiterals: questionLiterals).Single();
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(question)}[/]");
        AnsiConsole.MarkupLine($"[grey]SQL:[/] {Markup.Escape(answer.Sql)}");
        if (!answer.Result.Succeeded) AnsiConsole.MarkupLine($"[red]{Markup.Escape(answer.Result.Error ?? "")}[/]");
        else
        {
            var table = new Table().Border(TableBorder.Rounded);
            foreach (var c in answer.Result.Columns) table.AddColumn(Markup.Escape(c));
            foreach (var r in answer.Result.Rows.Take(10)) table.AddRow(r.Select(v => Markup.Escape(v?.ToString() ?? "NULL")).ToArray());
            AnsiConsole.Write(table);
        }
        var models = string.Join(" ", result.ModelDirs.Select(d => "--model " + d));
        AnsiConsole.MarkupLine($"try: tandem ask {Markup.Escape(models)} --db {Markup.Escape(result.DatabasePath)} \"your question\"");
    }

    static (int, int)? ParseFold(string? value)
    {
        if (value is null) return null;
        var parts = value.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out int i) && int.TryParse(parts[1], CultureInfo.InvariantCulture, out int k))
            return (i, k);
        throw new TandemException($"--fold takes I/K (fold I of K, e.g. 0/5), got '{value}'");
    }

    /// <summary>The text2sql-data folder next to the repository (../shared) or inside it (shared).</summary>
    internal static string FindData() => FindData("text2sql-data", "the folder with data/geography.json and data/restaurants.json");

    static string FindData(string name, string what)
    {
        foreach (var candidate in new[] { Path.Combine("..", "shared", "data", name), Path.Combine("shared", "data", name) })
            if (Directory.Exists(candidate)) return Path.GetFullPath(candidate);
        throw new TandemException($"{name} not found: pass --data DIR ({what})");
    }
}

using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using Tandem.Cli.Infrastructure;
using Tandem.Pipelines;
using Tandem.Tasks.Sql;
using Tandem.Tasks.Sql.Fitting;

namespace Tandem.Cli.Commands;

/// <summary><c>tandem ask</c>: a question in English, the SQL a model writes for it, and the rows it returns; or, with
/// <c>--sql</c>, a query written by hand run through the same guarded executor (to check a query, or the guard).</summary>
internal static class AskCommand
{
    public static Command Create()
    {
        var model = new Option<string[]>("--model", "-m") { Description = "A fine-tuned English->SQL model folder; repeat it to decode with an ensemble", Arity = ArgumentArity.OneOrMore };
        var db = new Option<string>("--db") { Description = "The SQLite database to query (opened read-only)", Required = true };
        var questions = CommonOptions.Texts("question", "Questions (else --file, else standard input)");
        var file = new Option<string?>("--file", "-f") { Description = "Questions, one per line" };
        var candidates = new Option<int>("--candidates") { Description = "Beam candidates to choose from (see --choose)", DefaultValueFactory = _ => 4 };
        var choose = CommonOptions.Choose();
        var literals = CommonOptions.Literals();
        var maxRows = new Option<int>("--max-rows") { Description = "Rows to show at most", DefaultValueFactory = _ => 50 };
        var timeout = new Option<int>("--timeout-ms") { Description = "Time limit of a query", DefaultValueFactory = _ => 5000 };
        var schema = new Option<bool>("--schema") { Description = "Print the database schema first" };
        var sql = new Option<string?>("--sql") { Description = "Run this query instead of asking a model (- reads it from standard input): read-only, under the same limits, printed the same way" };
        var threads = CommonOptions.Threads(2);
        var precision = CommonOptions.Precision("auto");
        var constrain = new Option<bool>("--schema-constraint") { Description = "Let the model write only this database's tables and columns where SQL calls for one (for a model fine-tuned on this database)" };
        var command = new Command("ask", "Ask a database a question in English: prints the SQL, runs it read-only, prints the rows")
        {
            model, db, questions, file, sql, candidates, choose, literals, maxRows, timeout, schema, constrain, threads, precision, CommonOptions.Json,
        };
        command.SetHandler(parse =>
        {
            var dbPath = parse.GetValue(db)!;
            var models = parse.GetValue(model) ?? [];
            var limits = new ExecutionLimits { TimeLimitMs = parse.GetValue(timeout), MaxRows = parse.GetValue(maxRows) };
            bool json = parse.GetValue(CommonOptions.Json);
            if (parse.GetValue(sql) is { } given)
            {
                var query = given == "-" ? Console.In.ReadToEnd() : given;
                if (models.Length > 0 || parse.GetValue(questions) is { Length: > 0 } || parse.GetValue(file) is not null)
                    throw new TandemException("--sql runs the query given: do not combine it with --model, questions or --file");
                using var queried = ReadOnlyDatabase.Open(dbPath, limits);
                if (parse.GetValue(schema) && !json) Console.Out.WriteLine(queried.ReadSchema().Describe());
                var result = queried.Execute(query);
                if (!result.Succeeded) throw new TandemException($"the database refused the query: {result.Error}");
                Show(new SqlAnswer("", query, result, [query]), json);
                return 0;
            }
            if (models.Length == 0) throw new TandemException("give --model (a fine-tuned English->SQL folder), or --sql QUERY");
            var inputs = TextSources.Read(parse.GetValue(questions), parse.GetValue(file));
            using var database = ReadOnlyDatabase.Open(dbPath, limits);            // before the model: a bad file fails fast
            Diagnostics.PhaseTiming.Mark("database opened");
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            Seq2SeqPipeline pipeline;
            using (Checkpoints.CheckpointLoader.TakingFilePages())           // load, answer, exit: no copy of the file's pages
                pipeline = Seq2SeqPipeline.Load(models);                       // one folder, or several as an ensemble
            using var _ = pipeline;
            using var products = CommonOptions.EnterPrecision(parse.GetValue(precision)!, TorchSharp.torch.CPU);
            if (FittedSchema.Warning(models, database.ReadSchema(sampleValues: 0), dbPath) is { } other) Console.Error.WriteLine("warning: " + other);
            if (parse.GetValue(schema) && !json) Console.Out.WriteLine(database.ReadSchema().Describe());
            int failed = 0;
            foreach (var answer in SqlAsker.Ask(pipeline, database, inputs, pipeline.Model.GenerationConfig, parse.GetValue(candidates),
                         choice: CommonOptions.ParseChoice(parse.GetValue(choose)!), constrainToSchema: parse.GetValue(constrain), questionLiterals: CommonOptions.ParseLiterals(parse.GetValue(literals)!)))
            {
                if (!answer.Result.Succeeded) failed++;
                Show(answer, json);
                Diagnostics.PhaseTiming.Mark("answer printed");
            }
            return failed == 0 ? 0 : 1;
        });
        return command;
    }

    /// <summary>One answer as a JSON line (question null for --sql) or as a table.</summary>
    static void Show(SqlAnswer answer, bool json)
    {
        if (json) Console.Out.WriteLine(JsonSerializer.Serialize(new
        {
            question = answer.Question.Length > 0 ? answer.Question : null,
            sql = answer.Sql,
            columns = answer.Result.Columns,
            rows = answer.Result.Rows,
            truncated = answer.Result.Truncated,
            error = answer.Result.Error,
        }));
        else Print(answer);
    }

    static void Print(SqlAnswer answer)
    {
        var console = AnsiConsole.Console;
        if (answer.Question.Length > 0) console.MarkupLine($"[bold]{Markup.Escape(answer.Question)}[/]");
        console.MarkupLine($"[grey]SQL:[/] {Markup.Escape(answer.Sql)}");
        if (!answer.Result.Succeeded)
        {
            console.MarkupLine($"[red]The database refused the query:[/] {Markup.Escape(answer.Result.Error ?? "")}");
            return;
        }
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var c in answer.Result.Columns) table.AddColumn(Markup.Escape(c));
        foreach (var row in answer.Result.Rows) table.AddRow(row.Select(v => Markup.Escape(v?.ToString() ?? "NULL")).ToArray());
        if (answer.Result.Columns.Count > 0) console.Write(table);
        console.MarkupLine($"[grey]{answer.Result.Rows.Count} row(s){(answer.Result.Truncated ? " (truncated)" : "")}[/]");
    }
}

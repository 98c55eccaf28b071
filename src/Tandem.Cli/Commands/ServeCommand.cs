using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Tandem.Cli.Infrastructure;
using Tandem.Server;
using Tandem.Tasks.Sql;

namespace Tandem.Cli.Commands;

/// <summary><c>tandem serve</c>: the English-to-SQL model behind a web page and a JSON API (src/Tandem.Server).</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var model = new Option<string[]>("--model", "-m") { Description = "A fine-tuned English->SQL model folder; repeat it to decode with an ensemble", Required = true, Arity = ArgumentArity.OneOrMore };
        var db = new Option<string>("--db") { Description = "The SQLite database to query (opened read-only)", Required = true };
        var host = new Option<string>("--host") { Description = "The address to listen on (127.0.0.1: this machine only; 0.0.0.0: every interface)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "The TCP port (0: any free one)", DefaultValueFactory = _ => 8080 };
        var candidates = new Option<int>("--candidates") { Description = "Beam candidates to choose from (see --choose)", DefaultValueFactory = _ => 4 };
        var choose = CommonOptions.Choose();
        var literals = CommonOptions.Literals();
        var constrain = new Option<bool>("--schema-constraint") { Description = "Let the model write only this database's tables and columns where SQL calls for one" };
        var maxRows = new Option<int>("--max-rows") { Description = "Rows returned at most", DefaultValueFactory = _ => 200 };
        var timeout = new Option<int>("--timeout-ms") { Description = "Time limit of a query", DefaultValueFactory = _ => 5000 };
        var queue = new Option<int>("--queue") { Description = "Questions admitted at once (one is answered at a time); one more gets 503", DefaultValueFactory = _ => 16 };
        var precision = CommonOptions.Precision("auto");
        var command = new Command("serve", "Serve a page and a JSON API that ask a database questions in English (POST /api/ask, GET /api/schema, GET /healthz, /openapi/v1.json)")
        {
            model, db, host, port, candidates, choose, literals, constrain, maxRows, timeout, queue, precision,
        };
        command.SetHandler(parse =>
        {
            var options = new ServerOptions
            {
                Models = parse.GetValue(model)!,
                Database = parse.GetValue(db)!,
                Host = parse.GetValue(host)!,
                Port = parse.GetValue(port),
                Candidates = parse.GetValue(candidates),
                Choice = CommonOptions.ParseChoice(parse.GetValue(choose)!),
                QuestionLiterals = CommonOptions.ParseLiterals(parse.GetValue(literals)!),
                ConstrainToSchema = parse.GetValue(constrain),
                Limits = new ExecutionLimits { TimeLimitMs = parse.GetValue(timeout), MaxRows = parse.GetValue(maxRows) },
                QueueCapacity = parse.GetValue(queue),
                Precision = parse.GetValue(precision)!,
            };
            using var app = TandemServer.Build(options);
            app.Start();
            Console.Out.WriteLine($"serving {app.Address()} (Ctrl+C stops)");
            app.WaitForShutdown();
            return 0;
        });
        return command;
    }
}

using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Tandem.Pipelines;
using Tandem.Server;
using Tandem.Tests.TestSupport;

namespace Tandem.Server.Tests;

/// <summary>
/// What the server tests serve: a tiny untrained BERT2BERT (TinyBert on both sides, as <c>tandem init</c> makes it)
/// whose generation is cut to five greedy tokens (no special ones) so that a question is answered quickly, and a copy
/// of GeoQuery's geography database. Made once per test run; removed at exit. The model's SQL is garbage (nothing was
/// trained): tests that need rows send SQL written by hand, the page's "Run this SQL".
/// </summary>
internal static class ServedModel
{
    static readonly Lazy<(string Model, string Database, string Root)> State = new(Make, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The model folder.</summary>
    public static string Model => State.Value.Model;

    /// <summary>The copy of geography-v4.sqlite the servers open.</summary>
    public static string Database => State.Value.Database;

    /// <summary>A query the database answers with five rows (the most populous states, California first).</summary>
    public const string FiveStates = "SELECT state_name, population FROM state ORDER BY population DESC LIMIT 5";

    /// <summary>The database file's SHA-256, hex.</summary>
    public static string DatabaseHash() => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Database)));

    /// <summary>Options for a server of <see cref="Model"/> on 127.0.0.1 with a free port.</summary>
    public static ServerOptions Options() => new()
    {
        Models = [Model],
        Database = Database,
        Port = 0,
        Candidates = 1,
        Limits = new() { TimeLimitMs = 2000, MaxRows = 100 },
    };

    /// <summary>Builds and starts an in-process server; its log lines go to <paramref name="log"/> when given.</summary>
    public static async Task<WebApplication> StartAsync(ServerOptions options, LogLines? log = null)
    {
        var app = TandemServer.Build(options, logging => { if (log is not null) logging.AddProvider(log); });
        await app.StartAsync();
        return app;
    }

    static (string, string, string) Make()
    {
        var root = Path.Combine(Path.GetTempPath(), "tandem-serve-test-" + Guid.NewGuid().ToString("N")[..12]);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(root, true); } catch (IOException) { } };
        var bert = TinyBert.Encoder(Path.Combine(root, "bert"));
        var model = Path.Combine(root, "model");
        var (m, _) = Seq2SeqInitializer.Create(bert, bert, tie: false);
        using (m) m.SavePretrained(model);
        var genPath = Path.Combine(model, "generation_config.json");
        var gen = JsonNode.Parse(File.ReadAllText(genPath))!.AsObject();
        gen["max_length"] = 6;
        gen["num_beams"] = 1;
        // Five tokens, none of them [PAD], [UNK], [CLS] or [MASK]: the SQL is never empty, whatever the random
        // cross-attention (drawn from a generator other tests share) and the product kernels make the untrained model pick.
        gen["min_new_tokens"] = 5;
        gen["bad_words_ids"] = new JsonArray(new JsonArray(0), new JsonArray(1), new JsonArray(2), new JsonArray(4));
        File.WriteAllText(genPath, gen.ToJsonString());
        var database = Path.Combine(root, "geography.sqlite");
        File.Copy(Paths.Shared("data", "text2sql-data", "derived", "geography-v4.sqlite"), database);
        return (model, database, root);
    }
}

/// <summary>Collects the formatted log lines of a server, for tests that read them.</summary>
internal sealed class LogLines : ILoggerProvider, ILogger
{
    readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue(formatter(state, exception));

    public void Dispose() { }
}

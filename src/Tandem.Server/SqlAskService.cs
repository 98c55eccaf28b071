using Tandem.Modeling;
using Tandem.Pipelines;
using Tandem.Tasks.Sql;
using Tandem.Tasks.Sql.Fitting;

namespace Tandem.Server;

/// <summary>
/// The model and the database, loaded once for the server's life: answers a question the way <c>tandem ask</c>
/// does (<see cref="SqlAsker"/>), or runs a query written by hand on the same read-only connection. Every use goes
/// through <see cref="Queue"/>, one at a time.
/// </summary>
public sealed class SqlAskService : IDisposable
{
    readonly Seq2SeqPipeline _pipeline;
    readonly ReadOnlyDatabase _database;
    readonly ServerOptions _options;
    readonly TorchSharp.torch.ScalarType? _precision;

    /// <summary>Loads the model and opens the database read-only; reads the schema once.</summary>
    public SqlAskService(ServerOptions options)
    {
        _options = options;
        _precision = Autocast.ForInference(options.Precision, TorchSharp.torch.CPU);
        if (!File.Exists(options.Database)) throw new TandemException($"{options.Database}: database file not found");
        _database = ReadOnlyDatabase.Open(options.Database, options.Limits);
        try
        {
            Schema = _database.ReadSchema();
            SchemaWarning = FittedSchema.Warning(options.Models, Schema, options.Database);
            _pipeline = Seq2SeqPipeline.Load(options.Models);
        }
        catch
        {
            _database.Dispose();
            throw;
        }
        Queue = new AskQueue(options.QueueCapacity, options.QueueTimeout);
    }

    /// <summary>The database's tables and columns with a few sample values, read at start.</summary>
    public DatabaseSchema Schema { get; }

    /// <summary>Why the model may not fit this database: it was fitted to another schema (<see cref="FittedSchema.Warning"/>);
    /// null when the schemas match or the model has no record.</summary>
    public string? SchemaWarning { get; }

    /// <summary>The database file's name (for the page and /healthz).</summary>
    public string DatabaseName => Path.GetFileName(_database.Path);

    /// <summary>The queue every question waits in.</summary>
    public AskQueue Queue { get; }

    /// <summary>Answers <paramref name="question"/>: the model's SQL, run read-only; or <paramref name="sql"/> when given.</summary>
    /// <exception cref="QueueFullException">The queue is full or the wait ran out.</exception>
    public Task<SqlAnswer> AskAsync(string question, string? sql, CancellationToken cancel) => Queue.RunAsync(() =>
    {
        if (sql is not null) return new SqlAnswer(question, sql, _database.Execute(sql), [sql]);
        using var products = Autocast.Enter(_precision);                                       // per thread: the queue's
        return SqlAsker.Ask(_pipeline, _database, [question], _pipeline.Model.GenerationConfig, _options.Candidates, batchSize: 1,
            choice: _options.Choice, constrainToSchema: _options.ConstrainToSchema, questionLiterals: _options.QuestionLiterals).Single();
    }, cancel);

    /// <summary>Frees the model and closes the database.</summary>
    public void Dispose()
    {
        Queue.Dispose();
        _pipeline.Dispose();
        _database.Dispose();
    }
}

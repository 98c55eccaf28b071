using Tandem.Modeling;
using Tandem.Tasks.Sql;

namespace Tandem.Server;

/// <summary>What <c>tandem serve</c> serves and the limits it serves it under.</summary>
public sealed record ServerOptions
{
    /// <summary>The fine-tuned English-to-SQL model folder; several decode as an ensemble.</summary>
    public required IReadOnlyList<string> Models { get; init; }

    /// <summary>The SQLite file the questions are asked of (opened read-only).</summary>
    public required string Database { get; init; }

    /// <summary>The address to listen on: an IP address or <c>localhost</c> (default 127.0.0.1: this machine only).</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The TCP port (default 8080; 0 picks a free one, see <see cref="TandemServer.Address"/>).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>Beam candidates the query is chosen from (as <c>tandem ask --candidates</c>).</summary>
    public int Candidates { get; init; } = 4;

    /// <summary>How the query is chosen among the candidates.</summary>
    public SqlChoice Choice { get; init; } = SqlChoice.FirstAnswer;

    /// <summary>Pass over candidates whose quoted values the question does not spell (as <c>ask --literals question</c>).</summary>
    public bool QuestionLiterals { get; init; } = true;

    /// <summary>Only the database's tables and columns where SQL calls for one (as <c>ask --schema-constraint</c>).</summary>
    public bool ConstrainToSchema { get; init; }

    /// <summary>The precision of the model's products: <c>auto</c> (bf16 on a CPU with bf16 instructions, the
    /// precision the GeoQuery rows were decoded in; else float32), <c>bf16</c> or <c>fp32</c>
    /// (<see cref="Autocast.ForInference"/>).</summary>
    public string Precision { get; init; } = "auto";

    /// <summary>The time limit and row cap of one query.</summary>
    public ExecutionLimits Limits { get; init; } = new() { TimeLimitMs = 5000, MaxRows = 200 };

    /// <summary>Questions admitted at once, the one being answered included; one more gets 503 (default 16).</summary>
    public int QueueCapacity { get; init; } = 16;

    /// <summary>How long a question may wait for its turn before it gets 503 (default 60 s).</summary>
    public TimeSpan QueueTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The largest request body in bytes; a larger one gets 413 (default 16 KiB).</summary>
    public long MaxBodyBytes { get; init; } = 16 * 1024;

    /// <summary>The longest question in characters; a longer one gets 400 (default 1000).</summary>
    public int MaxQuestionChars { get; init; } = 1000;

    /// <summary>A request body slower than this many bytes a second (after <see cref="SlowClientGrace"/>) is cut off,
    /// as are request headers that take longer than <see cref="SlowClientGrace"/> (default 240 bytes/s).</summary>
    public double MinBodyBytesPerSecond { get; init; } = 240;

    /// <summary>The grace a slow client gets before the rate limit applies, and the time allowed for the request
    /// headers (default 5 s; Kestrel needs at least 1 s).</summary>
    public TimeSpan SlowClientGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Open connections at most (default 512).</summary>
    public long MaxConnections { get; init; } = 512;

    /// <summary>Checks the values; throws <see cref="TandemException"/> naming the first bad one.</summary>
    public void Validate()
    {
        if (Models.Count == 0) throw new TandemException("give at least one --model folder");
        if (Port is < 0 or > 65535) throw new TandemException($"--port must be 0..65535, got {Port}");
        if (Candidates < 1) throw new TandemException($"--candidates must be at least 1, got {Candidates}");
        if (QueueCapacity < 1) throw new TandemException($"--queue must be at least 1, got {QueueCapacity}");
        if (MaxBodyBytes < 64) throw new TandemException($"the body limit must be at least 64 bytes, got {MaxBodyBytes}");
        if (MaxQuestionChars < 1) throw new TandemException($"the question limit must be at least 1 character, got {MaxQuestionChars}");
        if (SlowClientGrace < TimeSpan.FromSeconds(1)) throw new TandemException($"the slow-client grace must be at least 1 s, got {SlowClientGrace}");
        if (!Autocast.InferencePrecisions.Contains(Precision))
            throw new TandemException($"--precision must be one of {string.Join(", ", Autocast.InferencePrecisions)}, got '{Precision}'");
        if (QueueTimeout <= TimeSpan.Zero) throw new TandemException($"the queue timeout must be positive, got {QueueTimeout}");
    }
}

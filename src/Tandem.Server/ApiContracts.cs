using Tandem.Tasks.Sql;

namespace Tandem.Server;

/// <summary>The body of <c>POST /api/ask</c>.</summary>
/// <param name="Question">The question in English.</param>
/// <param name="Sql">A query written by hand to run instead of the model's (optional): read-only, under the same
/// limits. The page sends it when the user edits the model's SQL and runs it again.</param>
public sealed record AskRequest(string? Question, string? Sql = null);

/// <summary>The answer of <c>POST /api/ask</c>.</summary>
/// <param name="Question">The question as asked.</param>
/// <param name="Sql">The query that ran (the chosen candidate, or the one written by hand).</param>
/// <param name="Columns">The result's column names.</param>
/// <param name="Rows">The rows, at most the row cap.</param>
/// <param name="Truncated">Whether there were more rows than the cap.</param>
/// <param name="Error">The database's refusal or error; null when the query ran.</param>
/// <param name="Candidates">Every candidate query the model wrote, its best first.</param>
public sealed record AskResponse(string Question, string Sql, IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows,
    bool Truncated, string? Error, IReadOnlyList<string> Candidates)
{
    /// <summary>The response for one answer.</summary>
    public static AskResponse From(SqlAnswer answer) => new(answer.Question, answer.Sql, answer.Result.Columns,
        answer.Result.Rows, answer.Result.Truncated, answer.Result.Error, answer.Candidates);
}

/// <summary>Every error the API returns: one line that says what was wrong.</summary>
/// <param name="Error">The message.</param>
public sealed record ApiError(string Error);

/// <summary>The body of <c>GET /healthz</c>.</summary>
/// <param name="Status"><c>ok</c>.</param>
/// <param name="Database">The database file's name.</param>
/// <param name="Queued">Questions admitted now (running or waiting).</param>
/// <param name="QueueCapacity">Questions admitted at most.</param>
public sealed record Health(string Status, string Database, int Queued, int QueueCapacity);

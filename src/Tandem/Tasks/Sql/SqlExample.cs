namespace Tandem.Tasks.Sql;

/// <summary>
/// One English question with its gold SQL, as a training or evaluation pair.
/// </summary>
/// <param name="Question">The question, placeholders already filled in.</param>
/// <param name="Sql">The gold SQL, placeholders already filled in.</param>
/// <param name="Split">
/// The split as the source names it: <c>train</c>, <c>dev</c>, <c>test</c>, <c>exclude</c> (advising), a fold
/// <c>0</c> to <c>9</c> (10-fold datasets), or whatever a user's own file was loaded as.
/// </param>
public sealed record SqlExample(string Question, string Sql, string Split)
{
    /// <summary>The database's name (a Spider <c>db_id</c>, or the text2sql-data dataset name), if known.</summary>
    public string? DbId { get; init; }

    /// <summary>The SQLite file the SQL runs on, if there is one.</summary>
    public string? DbPath { get; init; }
}

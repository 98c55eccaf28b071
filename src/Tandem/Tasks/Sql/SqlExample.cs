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

    /// <summary>The line of the pairs file the example was read from (<see cref="SqlPairFiles.Read"/>), if any.</summary>
    public int? Line { get; init; }

    /// <summary>The question and SQL before their placeholders were filled (text2sql-data), if known; what
    /// <see cref="SqlValueAugmenter"/> re-fills with other values.</summary>
    public SqlTemplate? Template { get; init; }
}

/// <summary>
/// A text2sql-data sentence before filling: question and SQL with whole-word placeholders (<c>state_name0</c>), the
/// value each placeholder took, and each placeholder's type (<c>state_name</c>, <c>city_name</c>, ...).
/// </summary>
/// <param name="Question">The question with placeholders.</param>
/// <param name="Sql">The SQL with placeholders.</param>
/// <param name="Values">Placeholder name to the value it was filled with.</param>
/// <param name="Types">Placeholder name to the variable's type, where the data gives one.</param>
public sealed record SqlTemplate(string Question, string Sql, IReadOnlyDictionary<string, string> Values, IReadOnlyDictionary<string, string> Types);

using System.Diagnostics;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Tandem.Tasks.Sql;

/// <summary>
/// A SQLite file opened so that nothing run through it can change it: the connection is opened read-only
/// (<c>Mode=ReadOnly</c>), and an authorizer (<see cref="ReadOnlyAuthorizer"/>) refuses every statement that would
/// write, attach another file, change settings or open a transaction, before it runs. A progress handler
/// interrupts a query after <see cref="ExecutionLimits.TimeLimitMs"/>, and at most
/// <see cref="ExecutionLimits.MaxRows"/> rows are read. Not thread-safe: one query at a time.
/// <para>
/// Double-quoted string literals (<c>WHERE STATE_NAME = "texas"</c>) are accepted in queries, as in the
/// <c>sqlite3</c> shell and Python's <c>sqlite3</c>: text2sql-data writes its literals that way (MySQL style), and
/// the bundled SQLite is built with them off. As everywhere in SQLite, <c>"x"</c> is a column when a column
/// <c>x</c> is in scope, and a string only otherwise. SQLite's defensive mode is on as well.
/// </para>
/// </summary>
public sealed class ReadOnlyDatabase : IDisposable
{
    readonly SqliteConnection _connection;
    readonly ExecutionLimits _limits;
    readonly Stopwatch _clock = new();
    // Kept in fields so the native callbacks' delegates live as long as the connection.
    readonly strdelegate_authorizer _authorizer;
    readonly delegate_progress _progress;
    bool _timedOut;

    // Option codes from sqlite3.h.
    const int DbConfigDefensive = 1010, DbConfigDqsDml = 1013;

    ReadOnlyDatabase(string path, ExecutionLimits limits)
    {
        Path = path;
        _limits = limits;
        var csb = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        _connection = new SqliteConnection(csb.ToString());
        _connection.Open();
        _authorizer = (_, action, arg1, arg2, _, _) => ReadOnlyAuthorizer.Decide(action, arg1, arg2);
        _progress = _ => OverTime() ? 1 : 0;
        try
        {
            Check(raw.sqlite3_db_config(_connection.Handle, DbConfigDqsDml, 1, out _), "SQLITE_DBCONFIG_DQS_DML");
            Check(raw.sqlite3_db_config(_connection.Handle, DbConfigDefensive, 1, out _), "SQLITE_DBCONFIG_DEFENSIVE");
            Check(raw.sqlite3_set_authorizer(_connection.Handle, _authorizer, null), "the authorizer");
            raw.sqlite3_progress_handler(_connection.Handle, limits.CheckEveryInstructions, _progress, null);
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    /// <summary>The SQLite file.</summary>
    public string Path { get; }

    /// <summary>Opens an existing SQLite file read-only.</summary>
    /// <param name="path">The database file; it must exist (it is never created).</param>
    /// <param name="limits">Time limit and row cap; defaults when null.</param>
    public static ReadOnlyDatabase Open(string path, ExecutionLimits? limits = null)
    {
        limits ??= new ExecutionLimits();
        limits.Validate();
        if (!File.Exists(path))
            throw new TandemException($"database file not found: {path}");
        try { return new ReadOnlyDatabase(path, limits); }
        catch (SqliteException ex) { throw new TandemException($"cannot open {path} as a SQLite database: {ex.Message}", ex); }
    }

    /// <summary>
    /// Runs one query and reads its rows. Any failure (invalid SQL, a refused statement, the time limit) comes
    /// back as <see cref="QueryResult.Error"/> with the database's message; nothing is thrown.
    /// </summary>
    /// <param name="sql">The query.</param>
    public QueryResult Execute(string sql)
    {
        if (string.IsNullOrWhiteSpace(sql))
            return new QueryResult { Error = "empty query" };
        _timedOut = false;
        _clock.Restart();
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
            var rows = new List<object?[]>();
            bool truncated = false;
            while (reader.Read())
            {
                if (rows.Count == _limits.MaxRows) { truncated = true; break; }
                var row = new object?[reader.FieldCount];
                for (int i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                rows.Add(row);
            }
            return new QueryResult { Columns = columns, Rows = rows, Truncated = truncated, Elapsed = _clock.Elapsed };
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException)
        {
            string message = _timedOut ? $"time limit of {_limits.TimeLimitMs} ms exceeded ({ex.Message})" : ex.Message;
            return new QueryResult { Error = message, TimedOut = _timedOut, Elapsed = _clock.Elapsed };
        }
        finally { _clock.Stop(); }
    }

    /// <summary>Reads the tables, columns, types, keys and a few sample values of each column from the file.</summary>
    /// <param name="sampleValues">Distinct non-null values to read per column (0 for none).</param>
    public DatabaseSchema ReadSchema(int sampleValues = 3) => SqliteSchemaReader.Read(this, sampleValues);

    /// <summary>The distinct text values of <paramref name="table"/>.<paramref name="column"/>, or null when the names
    /// are not plain identifiers, the query fails, or the row cap cut the list short.</summary>
    /// <param name="table">A table of the database.</param>
    /// <param name="column">A column of that table.</param>
    public string[]? DistinctText(string table, string column)
    {
        if (!PlainName.IsMatch(table) || !PlainName.IsMatch(column)) return null;
        var result = Execute($"SELECT DISTINCT \"{column}\" FROM \"{table}\" WHERE typeof(\"{column}\") = 'text'");
        return result.Succeeded && !result.Truncated ? result.Rows.Select(r => r[0]?.ToString() ?? "").ToArray() : null;
    }

    static readonly System.Text.RegularExpressions.Regex PlainName = new(@"^\w+$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    void Check(int rc, string what)
    {
        if (rc != 0) throw new TandemException($"{Path}: SQLite refused {what} (error {rc})");
    }

    bool OverTime()
    {
        if (!_clock.IsRunning || _clock.ElapsedMilliseconds <= _limits.TimeLimitMs) return false;
        _timedOut = true;
        return true;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _connection.Dispose();
}

using System.Diagnostics;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Tandem.Tasks.Sql;

/// <summary>
/// A SQLite file opened so that nothing run through it can change it: the connection is opened read-only
/// (<c>Mode=ReadOnly</c>), and an authorizer (<see cref="ReadOnlyAuthorizer"/>) refuses every statement that would
/// write, attach another file, change settings or open a transaction, before it runs; a text holding more than one
/// statement is refused whole. A watchdog timer interrupts a query after <see cref="ExecutionLimits.TimeLimitMs"/>
/// (SQLite stops at its next virtual-machine step; no step outlasts the value-length limit by much),
/// at most <see cref="ExecutionLimits.MaxRows"/> rows are read, and memory is bounded three ways: the longest value
/// SQLite may build and the bytes a result may hold (<see cref="ExecutionLimits.MaxResultBytes"/>), the query's
/// length (<see cref="ExecutionLimits.MaxSqlBytes"/>), and SQLite's process-wide heap
/// (<see cref="ExecutionLimits.SqliteHeapBytes"/>). Not thread-safe: one query at a time.
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
    readonly object _gate = new();
    int _queries;                 // queries started so far
    int _running;                 // the number of the query the watchdog may interrupt (0: none)
    bool _timedOut;

    // Option and limit codes from sqlite3.h.
    const int DbConfigDefensive = 1010, DbConfigDqsDml = 1013, LimitLength = 0, LimitSqlLength = 1;

    ReadOnlyDatabase(string path, ExecutionLimits limits)
    {
        Path = path;
        _limits = limits;
        var csb = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false,
            DefaultTimeout = (limits.TimeLimitMs + 999) / 1000 };       // seconds to wait for another process's lock
        _connection = new SqliteConnection(csb.ToString());
        _connection.Open();
        _authorizer = (_, action, arg1, arg2, _, _) => ReadOnlyAuthorizer.Decide(action, arg1, arg2);
        try
        {
            Check(raw.sqlite3_db_config(_connection.Handle, DbConfigDqsDml, 1, out _), "SQLITE_DBCONFIG_DQS_DML");
            Check(raw.sqlite3_db_config(_connection.Handle, DbConfigDefensive, 1, out _), "SQLITE_DBCONFIG_DEFENSIVE");
            Check(raw.sqlite3_set_authorizer(_connection.Handle, _authorizer, null), "the authorizer");
            raw.sqlite3_limit(_connection.Handle, LimitLength, limits.MaxResultBytes);
            raw.sqlite3_limit(_connection.Handle, LimitSqlLength, limits.MaxSqlBytes);
            long heap = raw.sqlite3_hard_heap_limit64(-1);                 // -1 reads the limit; 0 means none
            if (heap == 0 || heap > limits.SqliteHeapBytes) raw.sqlite3_hard_heap_limit64(limits.SqliteHeapBytes);
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    /// <summary>The SQLite file.</summary>
    public string Path { get; }

    /// <summary>Opens an existing SQLite file read-only and reads its table list, so a file that is not a database,
    /// holds no tables or is locked fails here, as one error naming it.</summary>
    /// <param name="path">The database file; it must exist (it is never created).</param>
    /// <param name="limits">Time limit and row cap; defaults when null.</param>
    public static ReadOnlyDatabase Open(string path, ExecutionLimits? limits = null)
    {
        limits ??= new ExecutionLimits();
        limits.Validate();
        if (Directory.Exists(path))
            throw new TandemException($"{path}: a folder, not a SQLite database file");
        if (!File.Exists(path))
            throw new TandemException($"{path}: database file not found");
        ReadOnlyDatabase? db = null;
        try
        {
            db = new ReadOnlyDatabase(path, limits);
            var tables = db.Execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'");
            if (!tables.Succeeded) throw new TandemException($"cannot read {path} as a SQLite database: {tables.Error}");
            if (tables.Rows[0][0] is 0L) throw new TandemException($"{path}: the database has no tables{(new FileInfo(path).Length == 0 ? " (the file is empty)" : "")}");
            return db;
        }
        catch (SqliteException ex)
        {
            db?.Dispose();
            throw new TandemException($"cannot open {path} as a SQLite database: {ex.Message}", ex);
        }
        catch
        {
            db?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs one query and reads its rows. Any failure (invalid SQL, a refused statement, several statements, the
    /// time limit, a result over <see cref="ExecutionLimits.MaxResultBytes"/>) comes back as
    /// <see cref="QueryResult.Error"/> with the database's message; nothing is thrown.
    /// </summary>
    /// <param name="sql">The query.</param>
    public QueryResult Execute(string sql)
    {
        if (string.IsNullOrWhiteSpace(sql))
            return new QueryResult { Error = "empty query" };
        _timedOut = false;
        _clock.Restart();
        int query;
        lock (_gate) query = _running = ++_queries;
        using var watchdog = new Timer(TimeUp, query, _limits.TimeLimitMs, Timeout.Infinite);
        try
        {
            if (HasSecondStatement(sql))
                return new QueryResult { Error = "several statements in one query; give one SELECT", Elapsed = _clock.Elapsed };
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
            var rows = new List<object?[]>();
            bool truncated = false;
            long bytes = 0;
            while (reader.Read())
            {
                if (rows.Count == _limits.MaxRows) { truncated = true; break; }
                var row = new object?[reader.FieldCount];
                for (int i = 0; i < row.Length; i++)
                {
                    row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                    bytes += row[i] switch { string text => text.Length, byte[] blob => blob.Length, _ => 8 };
                }
                if (bytes > _limits.MaxResultBytes)
                    return new QueryResult { Error = $"the result is larger than {_limits.MaxResultBytes} bytes", Elapsed = _clock.Elapsed };
                rows.Add(row);
            }
            return new QueryResult { Columns = columns, Rows = rows, Truncated = truncated, Elapsed = _clock.Elapsed };
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException)
        {
            bool timedOut;
            lock (_gate) timedOut = _timedOut;
            string message = timedOut ? $"time limit of {_limits.TimeLimitMs} ms exceeded ({ex.Message})" : ex.Message;
            return new QueryResult { Error = message, TimedOut = timedOut, Elapsed = _clock.Elapsed };
        }
        finally
        {
            lock (_gate) _running = 0;
            _clock.Stop();
        }
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

    /// <summary>Whether anything but blanks and comments follows the first statement of <paramref name="sql"/>
    /// (compiling, not running, the rest: a refused second statement counts too). False when the first statement
    /// does not compile; running it then reports why.</summary>
    bool HasSecondStatement(string sql)
    {
        if (raw.sqlite3_prepare_v2(_connection.Handle, sql, out sqlite3_stmt first, out string tail) != 0) { first?.Dispose(); return false; }
        first?.Dispose();
        if (string.IsNullOrWhiteSpace(tail)) return false;
        int rc = raw.sqlite3_prepare_v2(_connection.Handle, tail, out sqlite3_stmt second, out _);
        using (second) return rc != 0 || second is { IsInvalid: false };
    }

    void Check(int rc, string what)
    {
        if (rc != 0) throw new TandemException($"{Path}: SQLite refused {what} (error {rc})");
    }

    /// <summary>The watchdog: interrupts <paramref name="query"/> if it still runs (a late timer of a finished
    /// query must not stop the next one).</summary>
    void TimeUp(object? query)
    {
        // .NET timers count whole milliseconds and can fire a millisecond or two early: a query is never stopped
        // before its limit (seen once: 298 ms into a 300 ms limit)
        double early = _limits.TimeLimitMs - _clock.Elapsed.TotalMilliseconds;
        if (early > 0) Thread.Sleep(TimeSpan.FromMilliseconds(early + 1));
        lock (_gate)
        {
            if (_running != (int)query!) return;
            _timedOut = true;
            raw.sqlite3_interrupt(_connection.Handle);
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _connection.Dispose();
}

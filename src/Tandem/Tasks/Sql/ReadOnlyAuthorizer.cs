namespace Tandem.Tasks.Sql;

/// <summary>
/// The SQLite authorizer policy of <see cref="ReadOnlyDatabase"/>: SQLite asks it about every action while it
/// compiles a statement, and a statement with any refused action does not compile ("not authorized"). Allowed:
/// <c>SELECT</c>, reading columns, calling functions (except <c>load_extension</c>), recursive CTEs, and the
/// read-only introspection pragmas the schema reader uses. Everything else is refused: INSERT, UPDATE, DELETE,
/// CREATE/DROP of anything, ALTER, ATTACH, DETACH, REINDEX, ANALYZE, transactions, savepoints, virtual tables and
/// all other pragmas (so <c>PRAGMA writable_schema=1</c> too), and any action code SQLite adds in future.
/// </summary>
internal static class ReadOnlyAuthorizer
{
    // Action codes from sqlite3.h.
    internal const int Pragma = 19, Read = 20, Select = 21, Function = 31, Recursive = 33;
    internal const int Ok = 0, Deny = 1;

    static readonly HashSet<string> ReadOnlyPragmas = new(StringComparer.OrdinalIgnoreCase)
    {
        "table_info", "table_xinfo", "foreign_key_list", "index_list", "index_info", "index_xinfo", "table_list",
    };

    public static int Decide(int action, string? arg1, string? arg2) => action switch
    {
        Select or Read or Recursive => Ok,
        Function => string.Equals(arg2, "load_extension", StringComparison.OrdinalIgnoreCase) ? Deny : Ok,
        Pragma => arg1 is not null && ReadOnlyPragmas.Contains(arg1) ? Ok : Deny,
        _ => Deny,
    };
}

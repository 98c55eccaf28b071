using System.Text;

namespace Tandem.Tasks.Sql;

/// <summary>
/// Repairs the string literals a model copied wrongly. A seq2seq model tends to write a frequent name it saw in
/// training ("mississippi") where the question names a rare one ("chattahoochee"). For every comparison
/// <c>table.column = "literal"</c> whose literal is not in the question, the database's own values of that column are
/// searched for in the question; if some occur, the longest one replaces the literal. Only the question and the
/// database are read (never gold SQL), so it is legitimate at test time.
/// </summary>
public sealed class SqlValueLinker : IDisposable
{
    readonly ReadOnlyDatabase _db;
    readonly Dictionary<(string Table, string Column), string[]?> _values = new();

    /// <summary>A linker reading column values (cached per column) through its own read-only connection to the
    /// database file <paramref name="dbPath"/>, with a generous row cap.</summary>
    public SqlValueLinker(string dbPath) =>
        _db = ReadOnlyDatabase.Open(dbPath, new ExecutionLimits { MaxRows = 200_000, TimeLimitMs = 10_000 });

    /// <summary>Closes the connection.</summary>
    public void Dispose() => _db.Dispose();

    /// <summary>The query with wrongly copied literals replaced; unchanged when nothing needs or allows a repair.</summary>
    public string Link(string sql, string question)
    {
        var tokens = SqlLexer.Tokenize(sql);
        var aliases = Aliases(tokens);
        var words = SqlLiterals.Words(question);
        var sb = new StringBuilder(sql);
        int shift = 0;
        for (int i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Kind != SqlTokenKind.String || i < 2 || tokens[i - 1].Text is not ("=" or "!=" or "<>")) continue;
            var literal = tokens[i].Value;
            if (literal.Length == 0 || SqlLiterals.OccursIn(literal, words)) continue;
            if (ColumnBefore(tokens, i - 1, aliases) is not { } column) continue;
            var values = Values(column.Table, column.Column);
            if (values is null) continue;
            var best = values.Where(v => v.Length > 0 && SqlLiterals.OccursIn(v, words))
                             .OrderByDescending(v => v.Length).FirstOrDefault();
            if (best is null) continue;
            var t = tokens[i];
            var quote = t.Text[0];
            var replacement = quote + best.Replace(quote.ToString(), new string(quote, 2)) + quote;
            sb.Remove(t.Start + shift, t.Length).Insert(t.Start + shift, replacement);
            shift += replacement.Length - t.Length;
        }
        return sb.ToString();
    }

    /// <summary>alias (and table name) → table, from <c>FROM/JOIN table [AS] alias</c> and comma lists.</summary>
    static Dictionary<string, string> Aliases(List<SqlToken> tokens)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i + 1 < tokens.Count; i++)
        {
            bool starts = tokens[i].Text.Equals("from", StringComparison.OrdinalIgnoreCase)
                          || tokens[i].Text.Equals("join", StringComparison.OrdinalIgnoreCase)
                          || tokens[i].Text == "," && map.Count > 0;
            if (!starts || tokens[i + 1].Kind != SqlTokenKind.Word) continue;
            var table = tokens[i + 1].Text;
            if (table.Equals("select", StringComparison.OrdinalIgnoreCase)) continue;
            map[table] = table;
            int j = i + 2;
            if (j < tokens.Count && tokens[j].Text.Equals("as", StringComparison.OrdinalIgnoreCase)) j++;
            if (j < tokens.Count && tokens[j].Kind == SqlTokenKind.Word && !IsKeyword(tokens[j].Text)) map[tokens[j].Text] = table;
        }
        return map;
    }

    static bool IsKeyword(string w) => w.ToLowerInvariant() is "where" or "join" or "on" or "group" or "order" or "limit"
        or "union" or "intersect" or "except" or "having" or "inner" or "left" or "natural" or "cross";

    /// <summary>The column compared at <paramref name="op"/>: <c>alias . column</c> or a bare column of the single table.</summary>
    static (string Table, string Column)? ColumnBefore(List<SqlToken> tokens, int op, Dictionary<string, string> aliases)
    {
        if (op >= 3 && tokens[op - 2].Text == "." && tokens[op - 1].Kind == SqlTokenKind.Word
            && aliases.TryGetValue(tokens[op - 3].Text, out var table))
            return (table, tokens[op - 1].Text);
        var tables = aliases.Values.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (op >= 1 && tokens[op - 1].Kind == SqlTokenKind.Word && tables.Count == 1) return (tables[0], tokens[op - 1].Text);
        return null;
    }

    string[]? Values(string table, string column)
    {
        var key = (table.ToLowerInvariant(), column.ToLowerInvariant());
        if (!_values.TryGetValue(key, out var values)) _values[key] = values = _db.DistinctText(table, column);
        return values;
    }
}

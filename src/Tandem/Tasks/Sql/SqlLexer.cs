namespace Tandem.Tasks.Sql;

/// <summary>What a <see cref="SqlToken"/> is.</summary>
internal enum SqlTokenKind
{
    /// <summary>A keyword or bare identifier (letters, digits, <c>_</c>, <c>$</c>).</summary>
    Word,
    /// <summary>A numeric literal.</summary>
    Number,
    /// <summary>A quoted string, <c>'...'</c> or <c>"..."</c> (text2sql-data writes literals in double quotes).</summary>
    String,
    /// <summary>An identifier in backticks or brackets.</summary>
    QuotedName,
    /// <summary>Punctuation or an operator (<c>(</c>, <c>,</c>, <c>&lt;=</c>, <c>||</c>, ...).</summary>
    Symbol,
}

/// <summary>One token of a SQL text: its kind, where it is, and, for strings, the unquoted content.</summary>
internal readonly record struct SqlToken(SqlTokenKind Kind, int Start, int Length, string Text, string Value);

/// <summary>
/// Splits SQL into tokens, enough to normalise it: whitespace and comments are dropped, a doubled quote inside a
/// string is an escaped quote. It never fails: an unterminated string runs to the end, an unknown character is a
/// one-character symbol.
/// </summary>
internal static class SqlLexer
{
    static readonly string[] TwoCharSymbols = ["<=", ">=", "<>", "!=", "==", "||", "<<", ">>"];

    public static List<SqlToken> Tokenize(string sql)
    {
        var tokens = new List<SqlToken>();
        int i = 0;
        while (i < sql.Length)
        {
            char c = sql[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '-' && At(sql, i + 1) == '-') { while (i < sql.Length && sql[i] != '\n') i++; continue; }
            if (c == '/' && At(sql, i + 1) == '*')
            {
                int end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 2;
                continue;
            }
            int start = i;
            if (c is '\'' or '"')
            {
                var value = new System.Text.StringBuilder();
                i++;
                while (i < sql.Length)
                {
                    if (sql[i] == c)
                    {
                        if (At(sql, i + 1) == c) { value.Append(c); i += 2; continue; }
                        i++;
                        break;
                    }
                    value.Append(sql[i++]);
                }
                tokens.Add(new SqlToken(SqlTokenKind.String, start, i - start, sql[start..i], value.ToString()));
                continue;
            }
            if (c is '`' or '[')
            {
                char close = c == '`' ? '`' : ']';
                int end = sql.IndexOf(close, i + 1);
                i = end < 0 ? sql.Length : end + 1;
                tokens.Add(Make(SqlTokenKind.QuotedName, sql, start, i));
                continue;
            }
            if (char.IsDigit(c) || (c == '.' && char.IsDigit(At(sql, i + 1))))
            {
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] == '.' || sql[i] == '_'
                       || ((sql[i] is '+' or '-') && sql[i - 1] is 'e' or 'E'))) i++;
                tokens.Add(Make(SqlTokenKind.Number, sql, start, i));
                continue;
            }
            if (char.IsLetter(c) || c == '_' || c == '$')
            {
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '_' or '$')) i++;
                tokens.Add(Make(SqlTokenKind.Word, sql, start, i));
                continue;
            }
            i += i + 1 < sql.Length && TwoCharSymbols.Contains(sql.Substring(i, 2)) ? 2 : 1;
            tokens.Add(Make(SqlTokenKind.Symbol, sql, start, i));
        }
        return tokens;
    }

    static SqlToken Make(SqlTokenKind kind, string sql, int start, int end) => new(kind, start, end - start, sql[start..end], sql[start..end]);

    static char At(string s, int i) => i < s.Length ? s[i] : '\0';
}

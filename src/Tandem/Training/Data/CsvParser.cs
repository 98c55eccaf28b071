using System.Text;

namespace Tandem.Training.Data;

/// <summary>RFC 4180 CSV: fields separated by commas, optionally quoted with <c>"</c>; a quote inside a quoted
/// field is doubled; quoted fields may span lines.</summary>
internal static class CsvParser
{
    public static IEnumerable<(int Line, string[] Cells)> Rows(TextReader reader, string path)
    {
        int line = 1;
        var cells = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, any = false, afterQuote = false;
        int rowLine = 1;
        while (true)
        {
            int c = reader.Read();
            if (quoted)
            {
                if (c < 0) throw new TandemException($"{path}:{rowLine}: unterminated quoted field");
                if (c == '"')
                {
                    if (reader.Peek() == '"') { reader.Read(); field.Append('"'); }
                    else { quoted = false; afterQuote = true; }
                }
                else { if (c == '\n') line++; field.Append((char)c); }
                continue;
            }
            if (c == '"' && field.Length == 0 && !afterQuote) { quoted = true; any = true; continue; }
            if (c == ',') { cells.Add(field.ToString()); field.Clear(); any = true; afterQuote = false; continue; }
            if (c == '\r' && reader.Peek() == '\n') continue;
            if (c == '\n' || c < 0)
            {
                if (any || field.Length > 0)
                {
                    cells.Add(field.ToString());
                    yield return (rowLine, cells.ToArray());
                }
                cells.Clear(); field.Clear(); any = false; afterQuote = false;
                if (c < 0) yield break;
                line++;
                rowLine = line;
                continue;
            }
            if (afterQuote) throw new TandemException($"{path}:{line}: text after a closing quote");
            field.Append((char)c);
            any = true;
        }
    }
}

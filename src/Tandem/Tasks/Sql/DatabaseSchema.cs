using System.Text;

namespace Tandem.Tasks.Sql;

/// <summary>A column of a table.</summary>
/// <param name="Name">The column's name as the database spells it.</param>
/// <param name="Type">The declared type (e.g. <c>varchar(255)</c>, <c>int</c>); empty when none is declared.</param>
/// <param name="IsPrimaryKey">Whether the column is (part of) the primary key.</param>
/// <param name="SampleValues">A few distinct non-null values, rendered as text (empty when not read).</param>
public sealed record ColumnSchema(string Name, string Type, bool IsPrimaryKey, IReadOnlyList<string> SampleValues);

/// <summary>A foreign key: <c>Table.Column</c> (the owning table's column) references <c>RefTable.RefColumn</c>.</summary>
/// <param name="Column">The referencing column.</param>
/// <param name="RefTable">The referenced table.</param>
/// <param name="RefColumn">The referenced column (empty when the key names the primary key implicitly).</param>
public sealed record ForeignKey(string Column, string RefTable, string RefColumn);

/// <summary>A table with its columns and foreign keys.</summary>
/// <param name="Name">The table's name.</param>
/// <param name="Columns">The columns in declaration order.</param>
/// <param name="ForeignKeys">The table's foreign keys.</param>
public sealed record TableSchema(string Name, IReadOnlyList<ColumnSchema> Columns, IReadOnlyList<ForeignKey> ForeignKeys);

/// <summary>
/// The tables of one database, read from a SQLite file (<see cref="ReadOnlyDatabase.ReadSchema"/>) or from
/// Spider's <c>tables.json</c> (<see cref="SpiderReader.ReadTables"/>). Used to print the schema and for
/// schema-aware decoding (<see cref="SqlSchemaConstraint"/>).
/// </summary>
/// <param name="Tables">The tables in the order the database lists them.</param>
public sealed record DatabaseSchema(IReadOnlyList<TableSchema> Tables)
{
    /// <summary>Finds a table by name, ignoring ASCII case as SQLite does; null when absent.</summary>
    /// <param name="name">The table's name.</param>
    public TableSchema? Table(string name) =>
        Tables.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The schema as text, one table a line: <c>CITY(CITY_NAME varchar(255) PK, POPULATION int, ...)</c>, with
    /// sample values (<c>e.g. 'austin', 'boston'</c>) when they were read, and foreign keys as
    /// <c>-&gt; TABLE.COLUMN</c>.
    /// </summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        foreach (var t in Tables)
        {
            sb.Append(t.Name).Append('(');
            for (int i = 0; i < t.Columns.Count; i++)
            {
                var c = t.Columns[i];
                if (i > 0) sb.Append(", ");
                sb.Append(c.Name);
                if (c.Type.Length > 0) sb.Append(' ').Append(c.Type);
                if (c.IsPrimaryKey) sb.Append(" PK");
                var fk = t.ForeignKeys.FirstOrDefault(f => string.Equals(f.Column, c.Name, StringComparison.OrdinalIgnoreCase));
                if (fk is not null) sb.Append(" -> ").Append(fk.RefTable).Append(fk.RefColumn.Length > 0 ? "." + fk.RefColumn : "");
                if (c.SampleValues.Count > 0)
                    sb.Append(" e.g. ").Append(string.Join(", ", c.SampleValues.Select(v => "'" + v + "'")));
            }
            sb.Append(")\n");
        }
        return sb.ToString();
    }
}

using Microsoft.Data.Sqlite;

namespace Tandem.Tests.Tasks.Sql.Fitting;

/// <summary>Small SQLite files written for the fitting tests: a pets database and variants of its schema.</summary>
internal static class PetsDb
{
    /// <summary>Writes a database with one table <c>pet</c>; <paramref name="thirdColumn"/> changes its last column.</summary>
    public static string Write(string path, string thirdColumn = "age int")
    {
        using (var c = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"CREATE TABLE pet(name text PRIMARY KEY, kind text, {thirdColumn}); " +
                              "INSERT INTO pet VALUES ('rex', 'dog', 3), ('tom', 'cat', 5), ('kit', 'cat', 1);";
            cmd.ExecuteNonQuery();
        }
        return path;
    }
}

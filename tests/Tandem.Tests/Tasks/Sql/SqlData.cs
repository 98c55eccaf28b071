using Tandem.Tasks.Sql;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Tasks.Sql;

/// <summary>The staged text2sql-data and Spider files the tests read (../shared/data).</summary>
internal static class SqlData
{
    public static string Text2Sql(string name) => Paths.Shared("data", "text2sql-data", "data", name + ".json");

    public static string GeographyDb => Paths.Shared("data", "text2sql-data", "derived", "geography-v4.sqlite");

    public static string SpiderDir => Paths.Shared("data", "spider-dev");

    static readonly Lazy<IReadOnlyList<SqlExample>> GeoQuestions =
        new(() => Text2SqlReader.Read(Text2Sql("geography"), Text2SqlSplitKind.Question, GeographyDb));

    /// <summary>All 877 GeoQuery examples with their question split.</summary>
    public static IReadOnlyList<SqlExample> Geography => GeoQuestions.Value;

    public static Dictionary<string, int> CountBySplit(IEnumerable<SqlExample> examples) =>
        examples.GroupBy(e => e.Split).ToDictionary(g => g.Key, g => g.Count());

    public static string Sha256(string path) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
}

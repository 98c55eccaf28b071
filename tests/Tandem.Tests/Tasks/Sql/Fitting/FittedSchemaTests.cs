using Tandem.Tasks.Sql;
using Tandem.Tasks.Sql.Fitting;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Tasks.Sql.Fitting;

public sealed class FittedSchemaTests
{
    static FittedSchema Read(string path)
    {
        using var db = ReadOnlyDatabase.Open(path);
        return FittedSchema.Of(db.ReadSchema(sampleValues: 0), path);
    }

    [Fact]
    public void TheSameSchemaInAnotherFileHasTheSameFingerprintAndNoDifference()
    {
        using var tmp = Paths.TempDir();
        var a = Read(PetsDb.Write(tmp["a.sqlite"]));
        var b = Read(PetsDb.Write(tmp["b.sqlite"], "AGE INT"));          // case is normalised away
        Assert.Equal(64, a.Fingerprint.Length);
        Assert.Equal(a.Fingerprint, b.Fingerprint);
        Assert.Null(a.FirstDifference(b));
        Assert.Equal(["name", "kind", "age"], a.Tables.Single().Columns.Select(c => c.Name));
    }

    [Fact]
    public void ADifferenceIsNamedByTableColumnAndType()
    {
        using var tmp = Paths.TempDir();
        var pets = Read(PetsDb.Write(tmp["a.sqlite"]));
        Assert.Equal("column pet.age is missing", pets.FirstDifference(Read(PetsDb.Write(tmp["b.sqlite"], "weight real"))));
        Assert.Equal("column pet.age has type real, not int", pets.FirstDifference(Read(PetsDb.Write(tmp["c.sqlite"], "age real"))));
        Assert.Equal("column border_info.border is new", pets.FirstDifference(Read(SqlData.GeographyDb)));
    }

    [Fact]
    public void WarningOnlyForARecordOfAnotherSchema()
    {
        using var tmp = Paths.TempDir();
        var model = Directory.CreateDirectory(tmp["model"]).FullName;
        var pets = PetsDb.Write(tmp["pets.sqlite"]);
        var other = PetsDb.Write(tmp["other.sqlite"], "weight real");
        using var petsDb = ReadOnlyDatabase.Open(pets);
        using var otherDb = ReadOnlyDatabase.Open(other);
        Assert.Null(FittedSchema.Load(model));
        Assert.Null(FittedSchema.Warning([model], otherDb.ReadSchema(0), other));            // an old folder: no record, no warning
        Read(pets).Save(model);
        var loaded = FittedSchema.Load(model)!;
        Assert.Equal((Read(pets).Fingerprint, "pets.sqlite"), (loaded.Fingerprint, loaded.Database));
        Assert.Equal(["name text", "kind text", "age int"], loaded.Tables.Single().Columns.Select(c => $"{c.Name} {c.Type}".ToLowerInvariant()));
        Assert.Null(FittedSchema.Warning([model], petsDb.ReadSchema(), pets));
        var warning = FittedSchema.Warning([model], otherDb.ReadSchema(), other);
        Assert.NotNull(warning);
        Assert.Contains("was fitted to pets.sqlite", warning);
        Assert.Contains("other.sqlite differs", warning);
        Assert.EndsWith("column pet.age is missing", warning);
        Assert.DoesNotContain("\n", warning);
    }
}

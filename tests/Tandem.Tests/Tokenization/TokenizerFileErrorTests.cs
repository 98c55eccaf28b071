using Tandem.Tokenization;
using static Tandem.Tests.Tokenization.ReferenceTokenizers;

namespace Tandem.Tests.Tokenization;

/// <summary>Broken tokenizer folders fail with one line that names the file and what is wrong.</summary>
public sealed class TokenizerFileErrorTests
{
    static TandemException Fails(Action<TempDir> write)
    {
        using var dir = new TempDir();
        write(dir);
        var e = Assert.Throws<TandemException>(() => AutoTokenizer.FromPretrained(dir.Path));
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    static void CopyFrom(TempDir dir, string name, params string[] files)
    {
        foreach (var f in files) File.Copy(Path.Combine(Dir(name), f), dir.File(f));
    }

    [Fact]
    public void MergesWithoutVocabJson()
    {
        var e = Fails(d => CopyFrom(d, Roberta, "merges.txt"));
        Assert.Contains("merges.txt has no vocab.json beside it", e.Message);
    }

    [Fact]
    public void VocabJsonThatIsNotAnObject()
    {
        var e = Fails(d =>
        {
            CopyFrom(d, Roberta, "merges.txt");
            File.WriteAllText(d.File("vocab.json"), "[\"<s>\", \"<pad>\"]");
        });
        Assert.Contains("vocab.json", e.Message);
        Assert.Contains("not a JSON object of token -> id", e.Message);
    }

    [Fact]
    public void TokenizerJsonThatIsNotJson()
    {
        var e = Fails(d => File.WriteAllText(d.File("tokenizer.json"), "{\"model\": {\"type\": \"BPE\", "));
        Assert.Contains("tokenizer.json is not valid JSON", e.Message);
    }

    [Fact]
    public void TokenizerJsonWithAnUnknownModelType()
    {
        var e = Fails(d => File.WriteAllText(d.File("tokenizer.json"),
            File.ReadAllText(Path.Combine(Dir(Roberta), "tokenizer.json")).Replace("\"type\": \"BPE\"", "\"type\": \"Mystery\"")));
        Assert.Contains("tokenizer.json: model type \"Mystery\" is not supported (Tandem reads BPE, WordPiece)", e.Message);
    }

    [Fact]
    public void TokenizerJsonWithAnUnknownNormalizer()
    {
        var e = Fails(d => File.WriteAllText(d.File("tokenizer.json"),
            File.ReadAllText(Path.Combine(Dir(Bert), "tokenizer.json")).Replace("\"type\": \"BertNormalizer\"", "\"type\": \"Precompiled\"")));
        Assert.Contains("tokenizer.json: normalizer type \"Precompiled\" is not supported", e.Message);
    }

    [Fact]
    public void FolderWithoutTokenizerFiles()
    {
        var e = Fails(_ => { });
        Assert.Contains("has no tokenizer files", e.Message);
    }
}

using Tandem.Tests.TestSupport;
using Tandem.Tokenization;

namespace Tandem.Tests.Cli;

public class TokenizerCommandTests
{
    [Fact]
    public void TokenizerTrainWritesAFolderThatLoadsAndRefusesToOverwriteIt()
    {
        using var tmp = Paths.TempDir();
        File.WriteAllLines(tmp["a.sql"], Enumerable.Repeat("SELECT city_name FROM city WHERE population > 150000 ;", 30));
        File.WriteAllLines(tmp["b.sql"], Enumerable.Repeat("SELECT COUNT ( * ) FROM river WHERE traverse = 'Tennessee' ;", 30));
        var r = CliRunner.Run("tokenizer", "train", "--corpus", tmp["a.sql"], tmp["b.sql"], "--vocab-size", "120", "--out", tmp["tok"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("wrote", r.Stdout);
        var t = WordPieceTokenizer.FromPretrained(tmp["tok"]);
        Assert.False(t.DoLowerCase);
        Assert.DoesNotContain(t.UnkTokenId, t.EncodeToIds("SELECT COUNT ( * ) FROM city WHERE traverse = 'Tennessee'"));
        var before = File.ReadAllText(tmp["tok/vocab.txt"]);
        CliRunner.AssertOneLineError(CliRunner.Run("tokenizer", "train", "--corpus", tmp["a.sql"], "--out", tmp["tok"]), "already exists");
        Assert.Equal(before, File.ReadAllText(tmp["tok/vocab.txt"]));
        CliRunner.AssertOneLineError(CliRunner.Run("tokenizer", "train", "--corpus", tmp["none.sql"], "--out", tmp["tok2"]), "none.sql", "not found");
        Assert.False(Directory.Exists(tmp["tok2"]));
        Assert.Empty(Directory.GetDirectories(tmp.Path, ".*"));
    }

    [Fact]
    public void TokenizerTrainTypeBpeWritesAByteLevelBpeFolder()
    {
        using var tmp = Paths.TempDir();
        File.WriteAllLines(tmp["a.txt"], Enumerable.Repeat("the cat sat on the mat. Übermäßig schön!", 30));
        var r = CliRunner.Run("tokenizer", "train", "--type", "bpe", "--template", "roberta", "--corpus", tmp["a.txt"], "--vocab-size", "300", "--out", tmp["tok"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("byte-level BPE", r.Stdout);
        foreach (var f in new[] { "vocab.json", "merges.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json" })
            Assert.True(File.Exists(tmp["tok/" + f]), f);
        var t = AutoTokenizer.FromPretrained(tmp["tok"]);
        Assert.Equal("the cat sat on the mat. Übermäßig schön!", t.Decode(t.EncodeToIds("the cat sat on the mat. Übermäßig schön!").Select(i => (long)i)));
        CliRunner.AssertOneLineError(CliRunner.Run("tokenizer", "train", "--type", "bpe", "--lowercase", "--corpus", tmp["a.txt"], "--out", tmp["tok2"]), "--lowercase", "WordPiece");
        CliRunner.AssertOneLineError(CliRunner.Run("tokenizer", "train", "--template", "gpt2", "--corpus", tmp["a.txt"], "--out", tmp["tok3"]), "--type bpe");
        Assert.False(Directory.Exists(tmp["tok2"]) || Directory.Exists(tmp["tok3"]));
    }
}

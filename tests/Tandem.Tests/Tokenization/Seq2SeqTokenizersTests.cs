using Tandem.Checkpoints;
using Tandem.Generation;
using Tandem.Tokenization;
using Tandem.Training.Data;
using static Tandem.Tests.Tokenization.ReferenceTokenizers;

namespace Tandem.Tests.Tokenization;

/// <summary>A tokenizer per side: the root holds the target (decoder) tokenizer, <c>encoder_tokenizer/</c> the source
/// one when it differs; save and load round-trip it and each side encodes with its own tokenizer.</summary>
public sealed class Seq2SeqTokenizersTests
{
    // WordPiece source (bert-base-uncased's vocab.txt), byte-level BPE target (roberta-small's vocab.json + merges.txt).
    static Seq2SeqTokenizers TwoSides() => new(Load(Bert, Source.SlowFiles), Load(Roberta, Source.SlowFiles));

    static void AssertEachSideEncodesWithItsOwnTokenizer(Seq2SeqTokenizers t)
    {
        Assert.IsType<WordPieceTokenizer>(t.Source);
        Assert.Equal("byte-level BPE", t.Target.Kind);
        Assert.False(t.Shared);
        var example = TokenizedExample.From(new TextPair("Hello world", "Hello world"), t, 512, 512);
        Assert.Equal([101, 7592, 2088, 102], example.Source);                 // [CLS] hello world [SEP]
        var roberta = Ints(Reference[Roberta]!["results"]![0]!["ids_without_special_tokens"]);
        Assert.Equal([.. roberta, 2], example.Labels);                        // Hello Ġworld </s>
        Assert.Equal("Hello world", t.Target.Decode(example.Labels.Select(x => (long)x)));
    }

    [Fact]
    public void ATwoTokenizerFolderSurvivesSaveAndLoad()
    {
        using var dir = new TempDir();
        TwoSides().SavePretrained(dir.Path);
        Assert.True(File.Exists(dir.File("vocab.json")) && File.Exists(dir.File("merges.txt")));
        Assert.False(File.Exists(dir.File("vocab.txt")));
        Assert.True(File.Exists(Path.Combine(dir.Path, Seq2SeqTokenizers.EncoderFolder, "vocab.txt")));
        var loaded = Seq2SeqTokenizers.FromPretrained(dir.Path);
        AssertEachSideEncodesWithItsOwnTokenizer(loaded);

        using var again = new TempDir();
        ModelFolder.WriteCommon(again.Path, true, new GenerationConfig(), dir.Path);   // what a model's save does
        AssertEachSideEncodesWithItsOwnTokenizer(Seq2SeqTokenizers.FromPretrained(again.Path));
        Assert.Null(TokenizerFiles.FirstDifference(dir.Path, again.Path));
    }

    [Fact]
    public void OneTokenizerServesBothSidesAndReplacesAStaleLayout()
    {
        using var dir = new TempDir();
        TwoSides().SavePretrained(dir.Path);
        new Seq2SeqTokenizers(Load(Gpt2, Source.TokenizerJson)).SavePretrained(dir.Path);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, Seq2SeqTokenizers.EncoderFolder)));
        Assert.False(File.Exists(dir.File("merges.txt")));   // roberta-small's files are gone, tokenizer.json alone
        var loaded = Seq2SeqTokenizers.FromPretrained(dir.Path);
        Assert.True(loaded.Shared);
        Assert.Equal(50256, loaded.EndId);
        Assert.Equal(Ints(Reference[Gpt2]!["results"]![0]!["ids"]), loaded.EncodeSource("Hello world", 1024));
    }
}

using Tandem.Generation;
using Tandem.Pipelines;
using Tandem.Tests.TestSupport;
using Tandem.Tokenization;

namespace Tandem.Tests.Pipelines;

/// <summary>A warm start from two checkpoints with different tokenizers keeps both: the saved folder holds the
/// decoder's in the root and the encoder's in <c>encoder_tokenizer/</c>, and the loaded pipeline encodes sources with
/// the encoder's.</summary>
public sealed class TokenizerPerSideTests
{
    // The same special tokens, the words in reverse order: "cat" has another id on each side.
    static string Decoder(TempDir tmp)
    {
        var dir = TinyBert.Encoder(tmp["dec"]);
        TinyBert.WriteVocab(dir, reversed: true);
        return dir;
    }

    [Fact]
    public void InitKeepsEachSidesTokenizerThroughSaveAndLoad()
    {
        using var tmp = Paths.TempDir();
        var enc = TinyBert.Encoder(tmp["enc"]);
        var dec = Decoder(tmp);
        var (model, _) = Seq2SeqInitializer.Create(enc, dec, tie: false);
        using (model)
            model.SavePretrained(tmp["out"]);
        Assert.Equal(File.ReadAllText(Path.Combine(dec, "vocab.txt")), File.ReadAllText(Path.Combine(tmp["out"], "vocab.txt")));
        Assert.Equal(File.ReadAllText(Path.Combine(enc, "vocab.txt")),
            File.ReadAllText(Path.Combine(tmp["out"], Seq2SeqTokenizers.EncoderFolder, "vocab.txt")));

        using var pipeline = Seq2SeqPipeline.Load(tmp["out"]);
        Assert.False(pipeline.Tokenizers.Shared);
        var source = AutoTokenizer.FromPretrained(enc);
        var target = AutoTokenizer.FromPretrained(dec);
        Assert.NotEqual(source.EncodeToIds("the cat"), target.EncodeToIds("the cat"));
        Assert.Equal(source.EncodeToIds("the cat"), pipeline.Tokenizers.EncodeSource("the cat", 64));
        Assert.Equal([.. target.EncodeToIds("the cat", false), target.SepTokenId!.Value], pipeline.Tokenizers.EncodeTarget("the cat", 64));
        var config = pipeline.Model.GenerationConfig;
        config.MaxNewTokens = 3;
        var item = pipeline.Generate(["the cat sat"], config).Single();
        Assert.Null(item.Error);
        Assert.Equal(target.Decode(item.Sequences[0]), item.Texts[0]);
    }

    [Fact]
    public void ARandomDecoderTakesTheTokenizerBesideItsConfig()
    {
        // a pre-trained decoder's random twin (same shape, same vocabulary): random:<its folder>/config.json
        using var tmp = Paths.TempDir();
        var enc = TinyBert.Encoder(tmp["enc"]);
        var dec = Decoder(tmp);
        var (model, report) = Seq2SeqInitializer.Create(enc, "random:" + Path.Combine(dec, "config.json"), tie: false);
        using (model)
            model.SavePretrained(tmp["out"]);
        Assert.Equal(File.ReadAllText(Path.Combine(dec, "vocab.txt")), File.ReadAllText(Path.Combine(tmp["out"], "vocab.txt")));
        Assert.Equal(File.ReadAllText(Path.Combine(enc, "vocab.txt")),
            File.ReadAllText(Path.Combine(tmp["out"], Seq2SeqTokenizers.EncoderFolder, "vocab.txt")));

        // a config without a tokenizer beside it borrows the encoder's, as before
        Directory.CreateDirectory(tmp["bare"]);
        File.Copy(Path.Combine(dec, "config.json"), tmp["bare/config.json"]);
        var (bare, _) = Seq2SeqInitializer.Create(enc, "random:" + tmp["bare/config.json"], tie: false);
        using (bare)
            bare.SavePretrained(tmp["out2"]);
        Assert.Equal(File.ReadAllText(Path.Combine(enc, "vocab.txt")), File.ReadAllText(Path.Combine(tmp["out2"], "vocab.txt")));
        Assert.False(Directory.Exists(Path.Combine(tmp["out2"], Seq2SeqTokenizers.EncoderFolder)));
    }

    [Fact]
    public void TyingTwoSidesWithDifferentTokenizersIsOneError()
    {
        using var tmp = Paths.TempDir();
        var e = Assert.Throws<TandemException>(() => Seq2SeqInitializer.Create(TinyBert.Encoder(tmp["enc"]), Decoder(tmp), tie: true));
        Assert.Contains("--tie", e.Message);
        Assert.Contains("different tokenizer files", e.Message);
    }

    [Fact]
    public void TargetSpecialIdsFollowEachFamilysRecipe()
    {
        var bert = AutoTokenizer.FromPretrained(Paths.Shared("reference", "tokenizers", "bert-base-uncased"));
        var roberta = AutoTokenizer.FromPretrained(Paths.Shared("reference", "tokenizers", "roberta-small"));
        var gpt2 = AutoTokenizer.FromPretrained(Paths.Shared("reference", "tokenizers", "gpt2"));
        Assert.Equal((101, 102, 0), Seq2SeqInitializer.TargetSpecialIds(bert, "bert"));
        Assert.Equal((0, 2, 1), Seq2SeqInitializer.TargetSpecialIds(roberta, "roberta"));
        Assert.Equal((50256, 50256, 50256), Seq2SeqInitializer.TargetSpecialIds(gpt2, "gpt2"));
    }
}

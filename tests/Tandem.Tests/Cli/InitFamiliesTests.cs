using System.Text.Json.Nodes;
using Tandem.Checkpoints;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Cli;

/// <summary><c>tandem init</c> with RoBERTa halves (the reference folders carry no tokenizer) and with families
/// Tandem does not know.</summary>
public class InitFamiliesTests
{
    static readonly string RobertaEncoder = Paths.Reference(Reference.Roberta2Roberta, "encoder");

    [Fact]
    public void RobertaToRobertaTakesRobertasSpecialIdsAndSaysThereIsNoTokenizer()
    {
        using var tmp = Paths.TempDir();
        var r = CliRunner.Run("init", "--encoder", RobertaEncoder, "--decoder", RobertaEncoder, "--out", tmp["m"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("Some weights of RobertaForCausalLM (decoder) were not initialized from the checkpoint", r.Stderr);
        Assert.Contains("newly initialized: [lm_head.", r.Stderr);
        Assert.Contains("roberta.encoder.layer.0.crossattention.", r.Stderr);
        Assert.Contains("No tokenizer found", r.Stderr);
        var config = JsonNode.Parse(File.ReadAllText(tmp["m/config.json"]))!;
        Assert.Equal((0, 1, 2), (config["decoder_start_token_id"]!.GetValue<int>(), config["pad_token_id"]!.GetValue<int>(), config["eos_token_id"]!.GetValue<int>()));
        Assert.Equal("roberta", config["decoder"]!["model_type"]!.GetValue<string>());
        var keys = SafeTensors.ReadShapes(tmp["m/model.safetensors"]).Keys.ToList();
        Assert.Contains("decoder.lm_head.bias", keys);
        Assert.DoesNotContain("decoder.lm_head.decoder.weight", keys);
        var info = CliRunner.Run("info", "--model", tmp["m"]);
        Assert.Contains("decoder_start_token_id: 0  eos_token_id: 2  pad_token_id: 1", info.Stdout);
        Assert.Contains("decoder: RoBERTa, 3 layers, hidden 24", info.Stdout);
        CliRunner.AssertOneLineError(CliRunner.Run("generate", "--model", tmp["m"], "some text"), "no tokenizer");
    }

    [Fact]
    public void RobertaShareAndARandomDecoderOfAnotherWidth()
    {
        using var tmp = Paths.TempDir();
        var share = CliRunner.Run("init", "--encoder", RobertaEncoder, "--decoder", RobertaEncoder, "--tie", "--out", tmp["share"]);
        Assert.True(share.ExitCode == 0, share.Stderr);
        Assert.Contains("Encoder and decoder share", share.Stderr);
        var shareKeys = SafeTensors.ReadShapes(tmp["share/model.safetensors"]).Keys.ToList();
        Assert.DoesNotContain("encoder.encoder.layer.0.attention.self.query.weight", shareKeys);    // stored once, under decoder.roberta
        Assert.Contains("decoder.roberta.encoder.layer.0.attention.self.query.weight", shareKeys);

        var wide = JsonNode.Parse(File.ReadAllText(Path.Combine(RobertaEncoder, "config.json")))!;
        wide["hidden_size"] = 30;
        wide["num_attention_heads"] = 5;
        File.WriteAllText(tmp["wide.json"], wide.ToJsonString());
        var proj = CliRunner.Run("init", "--encoder", RobertaEncoder, "--decoder", "random:" + tmp["wide.json"], "--out", tmp["proj"]);
        Assert.True(proj.ExitCode == 0, proj.Stderr);
        var shapes = SafeTensors.ReadShapes(tmp["proj/model.safetensors"]);
        Assert.Equal([30L, 24L], shapes["enc_to_dec_proj.weight"]);
        Assert.Equal([96L, 30L], shapes["decoder.roberta.embeddings.word_embeddings.weight"]);
    }

    [Fact]
    public void AnUnknownModelTypeIsOneLineNamingTheFamiliesAndWritesNothing()
    {
        using var tmp = Paths.TempDir();
        Directory.CreateDirectory(tmp["electra"]);
        File.WriteAllText(tmp["electra/config.json"], """{"model_type": "electra", "hidden_size": 32}""");
        var r = CliRunner.Run("init", "--encoder", tmp["electra"], "--decoder", RobertaEncoder, "--out", tmp["m"]);
        CliRunner.AssertOneLineError(r, "model_type 'electra'", "\"bert\"", "\"roberta\"", "\"xlm-roberta\"");
        Assert.False(Directory.Exists(tmp["m"]));
    }
}

/// <summary>Issue 18's bad inputs at warm start, and the special-id flags.</summary>
public class InitSpecialIdsAndBadFoldersTests
{
    [Fact]
    public void FlagsOverrideTheRecipesSpecialIds()
    {
        using var tmp = Paths.TempDir();
        var bert = TinyBert.Encoder(tmp["bert"]);
        var r = CliRunner.Run("init", "--encoder", bert, "--decoder", bert, "--pad-token-id", "3", "--eos-token-id", "4", "--out", tmp["m"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var config = JsonNode.Parse(File.ReadAllText(tmp["m/config.json"]))!;
        Assert.Equal((2, 3, 4), (config["decoder_start_token_id"]!.GetValue<int>(), config["pad_token_id"]!.GetValue<int>(), config["eos_token_id"]!.GetValue<int>()));
        CliRunner.AssertOneLineError(CliRunner.Run("init", "--encoder", bert, "--decoder", bert, "--eos-token-id", "5000", "--out", tmp["m2"]),
            "eos id 5000 is outside the decoder's vocabulary");
        Assert.False(Directory.Exists(tmp["m2"]));
    }

    [Fact]
    public void ATokenizerLargerThanTheEmbeddingsAndAFolderWithATokenizerButNoWeightsAreOneLineEach()
    {
        using var tmp = Paths.TempDir();
        var bert = TinyBert.Encoder(tmp["bert"]);
        Directory.CreateDirectory(tmp["big"]);
        TinyBert.WriteVocab(tmp["big"], size: 150);
        CliRunner.AssertOneLineError(CliRunner.Run("init", "--encoder", bert, "--decoder", bert, "--tokenizer", tmp["big"], "--out", tmp["m"]),
            "has 150 tokens but the encoder's embedding matrix has 99 rows");
        Assert.False(Directory.Exists(tmp["m"]));
        Directory.CreateDirectory(tmp["noweights"]);
        File.Copy(Path.Combine(bert, "config.json"), tmp["noweights/config.json"]);
        TinyBert.WriteVocab(tmp["noweights"]);
        CliRunner.AssertOneLineError(CliRunner.Run("init", "--encoder", tmp["noweights"], "--decoder", bert, "--out", tmp["m"]), "no weights found");
        Assert.False(Directory.Exists(tmp["m"]));
    }
}

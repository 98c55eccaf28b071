using System.Text.Json.Nodes;
using Tandem.Tests.Pretraining;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Cli;

[Collection(SequentialCollection.Name)]
public class PretrainCommandTests
{
    [Fact]
    public void PretrainWritesACheckpointThatFillMaskShowsAndInitWarmStartsWithOnlyCrossAttentionNew()
    {
        using var tmp = Paths.TempDir();
        TinyGrammar.Write(tmp.Path, trainCount: 300, devCount: 30);
        // tandem pretrain sets objective.type=mlm itself: the file may leave it out
        var json = JsonNode.Parse(TinyGrammar.Json(tmp.Path, "run"))!.AsObject();
        json["objective"]!.AsObject().Remove("type");
        File.WriteAllText(tmp["pretrain.json"], json.ToJsonString());

        var r = CliRunner.Run("pretrain", "--config", tmp["pretrain.json"], "--set", "schedule.max_steps=20");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("masked_accuracy", r.Stdout);
        var checkpoint = Directory.GetDirectories(tmp["run/checkpoints"]).Single();

        var text = CliRunner.Run("fill-mask", "--model", checkpoint, "--top-k", "3", "cat sees [MASK]");
        Assert.True(text.ExitCode == 0, text.Stderr);
        Assert.Equal(3, text.StdoutLines.Length);
        Assert.All(text.StdoutLines, l => Assert.Matches(@"^\s+\d+\.\d%\s+\S+$", l));

        var two = CliRunner.Run("fill-mask", "--model", checkpoint, "--json", "-k", "4", "[MASK] sees [MASK]");
        Assert.True(two.ExitCode == 0, two.Stderr);
        Assert.Equal(2, two.StdoutLines.Length);
        for (int m = 0; m < 2; m++)
        {
            var line = JsonNode.Parse(two.StdoutLines[m])!;
            Assert.Equal(m, line["mask"]!.GetValue<int>());
            var p = line["candidates"]!.AsArray().Select(c => c!["probability"]!.GetValue<double>()).ToList();
            Assert.Equal(4, p.Count);
            Assert.Equal(p.OrderByDescending(x => x), p);
            Assert.InRange(p.Sum(), 0, 1.000001);
        }
        CliRunner.AssertOneLineError(CliRunner.Run("fill-mask", "--model", checkpoint, "cat sees dog"), "[MASK]");

        var init = CliRunner.Run("init", "--encoder", checkpoint, "--decoder", checkpoint, "--out", tmp["b2b"], "--verbose");
        Assert.True(init.ExitCode == 0, init.Stderr);
        // new: the decoder's cross-attention, and the encoder's pooler (BertForMaskedLM has none, as in transformers;
        // the seq2seq model does not use it)
        // (the report also names the head's tied aliases cls.predictions.decoder.*: they are the loaded word embeddings and bias)
        Assert.All(NewKeys(init, "decoder"),
            k => Assert.True(k.Contains("crossattention", StringComparison.Ordinal) || k.StartsWith("cls.predictions.decoder.", StringComparison.Ordinal), k));
        Assert.All(NewKeys(init, "encoder"), k => Assert.StartsWith("pooler.", k));
    }

    [Fact]
    public void ByteLevelBpeThenCausalLMPretrainingThenGenerateAndInitFromTheCheckpoint()
    {
        using var tmp = Paths.TempDir();
        TinyGrammar.Write(tmp.Path, trainCount: 300, devCount: 30);
        var tok = CliRunner.Run("tokenizer", "train", "--type", "bpe", "--corpus", tmp["train.txt"], "--vocab-size", "300", "--out", tmp["bpe"]);
        Assert.True(tok.ExitCode == 0, tok.Stderr);
        int vocab = JsonNode.Parse(File.ReadAllText(tmp["bpe/vocab.json"]))!.AsObject().Count;
        File.WriteAllText(tmp["gpt2.json"], $$"""{"model_type": "gpt2", "vocab_size": {{vocab}}, "n_embd": 32, "n_layer": 2, "n_head": 4, "n_positions": 32, "bos_token_id": 0, "eos_token_id": 0}""");
        File.WriteAllText(tmp["clm.yaml"], $"""
            seed: 1
            objective: {"{"}type: clm, block_size: 16{"}"}
            model:
              decoder: random:{tmp["gpt2.json"]}
              tokenizer: {tmp["bpe"]}
            data:
              splits: {"{"}train: {tmp["train.txt"]}, dev: {tmp["dev.txt"]}{"}"}
            schedule: {"{"}max_steps: 20, warmup_steps: 2{"}"}
            evaluation: {"{"}metric: perplexity{"}"}
            output: {"{"}dir: {tmp["run"]}, plots: false{"}"}
            """);
        var r = CliRunner.Run("pretrain", "--config", tmp["clm.yaml"]);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("perplexity", r.Stdout);
        var checkpoint = Directory.GetDirectories(tmp["run/checkpoints"]).Single();

        var gen = CliRunner.Run("generate", "--model", checkpoint, "cat sees", "--max-new-tokens", "3");
        Assert.True(gen.ExitCode == 0, gen.Stderr);
        Assert.StartsWith("cat sees", Assert.Single(gen.StdoutLines));

        var init = CliRunner.Run("init", "--encoder", Paths.Reference("tiny-bert2gpt2", "encoder"), "--decoder", checkpoint, "--out", tmp["b2g"], "--verbose");
        Assert.True(init.ExitCode == 0, init.Stderr);
        Assert.All(NewKeys(init, "decoder"),
            k => Assert.True(k.Contains("crossattention", StringComparison.Ordinal) || k.Contains("ln_cross_attn", StringComparison.Ordinal), k));
    }

    [Fact]
    public void PretrainRefusesASeq2SeqObjective()
    {
        using var tmp = Paths.TempDir();
        TinyGrammar.Write(tmp.Path, trainCount: 10, devCount: 2);
        File.WriteAllText(tmp["p.json"], TinyGrammar.Json(tmp.Path, "run"));
        CliRunner.AssertOneLineError(CliRunner.Run("pretrain", "--config", tmp["p.json"], "--set", "objective.type=seq2seq"), "mlm or clm");
    }

    [Fact]
    public void ARobertaFromAByteLevelBpeIsPretrainedAndFillsMasksAndWarmStartsAsAUserTypesIt()
    {
        using var tmp = Paths.TempDir();
        TinyGrammar.Write(tmp.Path, trainCount: 300, devCount: 30);                             // train.txt, dev.txt
        var tok = CliRunner.Run("tokenizer", "train", "--type", "bpe", "--template", "roberta", "--corpus", tmp["train.txt"],
            "--vocab-size", "400", "--out", tmp["bpe"]);
        Assert.True(tok.ExitCode == 0, tok.Stderr);
        File.WriteAllText(tmp["roberta.json"], """
            { "model_type": "roberta", "vocab_size": 400, "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
              "intermediate_size": 128, "max_position_embeddings": 34, "type_vocab_size": 1,
              "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2 }
            """);
        File.WriteAllText(tmp["pretrain.yaml"], $$"""
            objective: { mlm_probability: 0.15, whole_word_mask: true, block_size: 32 }
            model: { encoder: "random:{{tmp["roberta.json"]}}", tokenizer: "{{tmp["bpe"]}}" }
            data: { splits: { train: "{{tmp["train.txt"]}}", dev: "{{tmp["dev.txt"]}}" } }
            optimizer: { lr: 3e-3 }
            schedule: { max_steps: 20, warmup_steps: 2 }
            batching: { max_tokens: 512 }
            evaluation: { every_steps: 10, metric: masked_accuracy }
            output: { dir: "{{tmp["run"]}}", plots: false }
            """);

        var r = CliRunner.Run("pretrain", "--config", tmp["pretrain.yaml"]);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("masked_accuracy", r.Stdout);
        var checkpoint = Directory.GetDirectories(tmp["run/checkpoints"]).Order(StringComparer.Ordinal).Last();   // the last step's (the best may be kept too)
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(checkpoint, "config.json")))!;
        Assert.Equal("RobertaForMaskedLM", config["architectures"]![0]!.GetValue<string>());

        var text = CliRunner.Run("fill-mask", "--model", checkpoint, "--top-k", "3", "cat sees <mask>");
        Assert.True(text.ExitCode == 0, text.Stderr);
        Assert.Equal(3, text.StdoutLines.Length);
        Assert.All(text.StdoutLines, l => Assert.Matches(@"^\s+\d+\.\d%\s+\S+$", l));
        var two = CliRunner.Run("fill-mask", "--model", checkpoint, "--json", "<mask> sees <mask>");
        Assert.True(two.ExitCode == 0, two.Stderr);
        Assert.Equal(2, two.StdoutLines.Length);
        CliRunner.AssertOneLineError(CliRunner.Run("fill-mask", "--model", checkpoint, "cat sees [MASK]"), "no <mask>");

        var init = CliRunner.Run("init", "--encoder", checkpoint, "--decoder", checkpoint, "--out", tmp["r2r"], "--verbose");
        Assert.True(init.ExitCode == 0, init.Stderr);
        // new: the decoder's cross-attention (and the head's tied alias lm_head.decoder.bias, which is the loaded
        // lm_head.bias), and the encoder's pooler (RobertaForMaskedLM has none, as in transformers)
        Assert.All(NewKeys(init, "decoder"),
            k => Assert.True(k.Contains("crossattention", StringComparison.Ordinal) || k.StartsWith("lm_head.decoder.", StringComparison.Ordinal), k));
        Assert.All(NewKeys(init, "encoder"), k => Assert.StartsWith("pooler.", k));
        var seq2seq = JsonNode.Parse(File.ReadAllText(tmp["r2r/config.json"]))!;
        Assert.Equal((0, 1, 2), (seq2seq["decoder_start_token_id"]!.GetValue<int>(), seq2seq["pad_token_id"]!.GetValue<int>(), seq2seq["eos_token_id"]!.GetValue<int>()));
    }

    /// <summary>The keys <c>tandem init --verbose</c> reports as newly initialised for one half (<c>encoder</c>,
    /// <c>decoder</c>): the one report line of that half, parsed.</summary>
    static string[] NewKeys(CliRunner.Result init, string half)
    {
        var line = Assert.Single(init.StderrLines,
            l => l.Contains("newly initialized", StringComparison.Ordinal) && l.Contains($"({half})", StringComparison.Ordinal));
        return line[(line.IndexOf('[') + 1)..line.LastIndexOf(']')].Split(", ");
    }
}

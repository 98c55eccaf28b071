using System.Text.Json.Nodes;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Cli;

/// <summary>init, score and generate on tiny models, as a user types them.</summary>
public class Seq2SeqCommandTests
{
    /// <summary>A tiny BERT2BERT folder built by <c>tandem init</c> from the reference encoder (99-token vocab).</summary>
    static string InitTiny(TempDir tmp, params string[] extra)
    {
        var bert = TinyBert.Encoder(tmp["bert"]);
        var r = CliRunner.Run(["init", "--encoder", bert, "--decoder", bert, "--out", tmp["m"], .. extra]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return tmp["m"];
    }

    [Fact]
    public void InitReportsWhatIsNewAndWritesATransformersFolder()
    {
        using var tmp = Paths.TempDir();
        var bert = TinyBert.Encoder(tmp["bert"]);
        var r = CliRunner.Run("init", "--encoder", bert, "--decoder", bert, "--out", tmp["m"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("newly initialized: [bert.encoder.layer.0.crossattention", r.Stderr);
        Assert.Contains("were not used when initializing BertLMHeadModel (decoder): [pooler.dense.bias, pooler.dense.weight]", r.Stderr);
        Assert.Matches(@"parameters: [\d,]+ total, [\d,]+ newly initialised, [\d,]+ shared", r.Stdout);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(tmp["m"], "config.json")))!;
        Assert.Equal("encoder-decoder", config["model_type"]!.GetValue<string>());
        Assert.Equal(2, config["decoder_start_token_id"]!.GetValue<int>());      // [CLS] of the tiny vocab
        Assert.Equal(3, config["eos_token_id"]!.GetValue<int>());                 // [SEP]
        Assert.True(config["decoder"]!["add_cross_attention"]!.GetValue<bool>());
        foreach (var f in new[] { "model.safetensors", "generation_config.json", "vocab.txt", "tokenizer_config.json" })
            Assert.True(File.Exists(Path.Combine(tmp["m"], f)), f);
        var info = CliRunner.Run("info", "--model", tmp["m"]);
        Assert.Contains("decoder_start_token_id: 2  eos_token_id: 3  pad_token_id: 0", info.Stdout);
    }

    [Fact]
    public void InitWithASeedDrawsTheSameNewWeightsAgainAndPrintsTheSeedItDrew()
    {
        using var tmp = Paths.TempDir();
        var bert = TinyBert.Encoder(tmp["bert"]);
        (byte[] Weights, long Seed) Init(string name, params string[] seed)
        {
            var r = CliRunner.Run(["init", "--encoder", bert, "--decoder", bert, "--out", tmp[name], .. seed]);
            Assert.True(r.ExitCode == 0, r.Stderr);
            var printed = System.Text.RegularExpressions.Regex.Match(r.Stdout, @"wrote .* \(seed (\d+)\)");
            Assert.True(printed.Success, r.Stdout);
            return (File.ReadAllBytes(Path.Combine(tmp[name], "model.safetensors")), long.Parse(printed.Groups[1].Value));
        }
        var seven = Init("a", "--seed", "7");
        Assert.Equal(7, seven.Seed);
        Assert.Equal(seven.Weights, Init("b", "--seed", "7").Weights);
        Assert.NotEqual(seven.Weights, Init("c", "--seed", "8").Weights);
        var fresh = Init("d");                                            // a fresh seed, printed: the same draw again
        Assert.NotEqual(seven.Weights, fresh.Weights);
        Assert.Equal(fresh.Weights, Init("e", "--seed", fresh.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture)).Weights);
    }

    [Fact]
    public void InitMiniLmWithAndWithoutTieReportsParameterCounts()
    {
        using var tmp = Paths.TempDir();
        var plain = CliRunner.Run("init", "--encoder", "minilm", "--decoder", "minilm", "--out", tmp["m2m"]);
        Assert.Equal(0, plain.ExitCode);
        Assert.Contains("parameters: 49,010,490 total, 3,731,898 newly initialised", plain.Stdout);
        var tied = CliRunner.Run("init", "--encoder", "minilm", "--decoder", "minilm", "--tie", "--out", tmp["share"]);
        Assert.Equal(0, tied.ExitCode);
        Assert.Contains("parameters: 26,445,114 total, 3,731,898 newly initialised", tied.Stdout);
        Assert.True(new FileInfo(Path.Combine(tmp["share"], "model.safetensors")).Length < 0.6 * new FileInfo(Path.Combine(tmp["m2m"], "model.safetensors")).Length);
    }

    [Fact]
    public void ScorePrintsTokenLogprobsWhoseMeanIsTheLoss()
    {
        using var tmp = Paths.TempDir();
        var model = InitTiny(tmp);
        var r = CliRunner.Run("score", "--model", model, "--source", "the cat sat", "--target", "a dog ran", "--json");
        Assert.Equal(0, r.ExitCode);
        var json = JsonNode.Parse(r.StdoutLines.Single())!;
        var logprobs = json["token_logprobs"]!.AsArray().Select(x => x!.GetValue<double>()).ToArray();
        Assert.Equal(4, logprobs.Length);                                        // a dog ran [SEP]
        Assert.All(logprobs, lp => Assert.True(lp < 0));
        Assert.Equal(-logprobs.Average(), json["loss"]!.GetValue<double>(), 1e-5);
        var ids = CliRunner.Run("score", "--model", model, "--source-ids", "2 5 7 9 3", "--target-ids", "6 8 12 3", "--json");
        Assert.Equal(0, ids.ExitCode);
        Assert.Equal(r.Stdout, ids.Stdout);                                      // same ids as the texts
        File.WriteAllLines(tmp["pairs.tsv"], ["the cat sat\ta dog ran", "the mat\tthe mat"]);
        var pairs = CliRunner.Run("score", "--model", model, "--pairs", tmp["pairs.tsv"], "--json");
        Assert.Equal(2, pairs.StdoutLines.Length);
    }

    [Fact]
    public void GenerateTextsIdsAndJsonWithAPerLineReportForEmptyLines()
    {
        using var tmp = Paths.TempDir();
        var model = InitTiny(tmp);
        File.WriteAllLines(tmp["in.txt"], ["the cat sat", "", "a big dog"]);
        var r = CliRunner.Run("generate", "--model", model, "--file", tmp["in.txt"], "--json", "--num-beams", "3",
            "--num-return-sequences", "2", "--max-new-tokens", "6", "--batch-size", "2");
        Assert.Equal(1, r.ExitCode);                                             // one bad line
        var lines = r.StdoutLines;
        Assert.Equal(3, lines.Length);
        Assert.Equal("input 2 is empty", JsonNode.Parse(lines[1])!["error"]!.GetValue<string>());
        foreach (var i in new[] { 0, 2 })
        {
            var o = JsonNode.Parse(lines[i])!;
            Assert.Equal(2, o["sequences"]!.AsArray().Count);
            Assert.Equal(2, o["scores"]!.AsArray().Count);
            Assert.Equal(2, o["sequences"]![0]![0]!.GetValue<int>());           // starts with the decoder start token
        }
        Assert.Contains("error: input 2 is empty", r.Stderr);
        var byIds = CliRunner.Run("generate", "--model", model, "--ids", "2 5 7 9 3", "--max-new-tokens", "6", "--json");
        var byText = CliRunner.Run("generate", "--model", model, "the cat sat", "--max-new-tokens", "6", "--json");
        Assert.Equal(0, byIds.ExitCode);
        Assert.Equal(byText.Stdout, byIds.Stdout);
    }

    [Theory]
    [InlineData("--num-beams", "2", "--num-return-sequences", "3", "num_return_sequences")]
    [InlineData("--do-sample", "true", "--top-p", "1.5", "top_p")]
    [InlineData("--do-sample", "true", "--temperature", "0", "temperature")]
    [InlineData("--max-length", "1", "--num-beams", "1", "max")]
    public void BadGenerationOptionsAreClearErrors(string a, string b, string c, string d, string fragment)
    {
        using var tmp = Paths.TempDir();
        var model = InitTiny(tmp);
        var r = CliRunner.Run("generate", "--model", model, "the cat", a, b, c, d);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains(fragment, r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public void GeneratePrecisionDefaultsToFloat32AndTakesBf16()
    {
        using var tmp = Paths.TempDir();
        var model = InitTiny(tmp);
        string[] args = ["generate", "--model", model, "--num-beams", "2", "--max-new-tokens", "6", "--json", "the cat", "a dog"];
        var byDefault = CliRunner.Run(args);
        Assert.True(byDefault.ExitCode == 0, byDefault.Stderr);
        Assert.Equal(byDefault.Stdout, CliRunner.Run([.. args, "--precision", "fp32"]).Stdout);
        var bf16 = CliRunner.Run([.. args, "--precision", "bf16"]);
        Assert.True(bf16.ExitCode == 0, bf16.Stderr);
        Assert.Equal(2, bf16.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.Contains("\"sequences\"")));
        CliRunner.AssertOneLineError(CliRunner.Run([.. args, "--precision", "half"]), "'half' not recognized", "'bf16'");
    }

    [Fact]
    public void MismatchedTokenizersAreKeptPerSideButCannotBeTied()
    {
        using var tmp = Paths.TempDir();
        var a = TinyBert.Encoder(tmp["a"]);
        var b = TinyBert.Encoder(tmp["b"]);
        var lines = File.ReadAllLines(Path.Combine(b, "vocab.txt"));
        (lines[2], lines[3]) = (lines[3], lines[2]);                          // [CLS] and [SEP] swapped
        File.WriteAllLines(Path.Combine(b, "vocab.txt"), lines);
        // Each side keeps its tokenizer; the decoder's special ids come from the decoder's ([CLS] = 3, [SEP] = 2).
        var r = CliRunner.Run("init", "--encoder", a, "--decoder", b, "--out", tmp["m"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(File.ReadAllText(Path.Combine(a, "vocab.txt")), File.ReadAllText(Path.Combine(tmp["m"], "encoder_tokenizer", "vocab.txt")));
        var generation = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(tmp["m"], "generation_config.json")))!;
        Assert.Equal((3, 2), (generation["decoder_start_token_id"]!.GetValue<int>(), generation["eos_token_id"]!.GetValue<int>()));
        CliRunner.AssertOneLineError(CliRunner.Run("init", "--encoder", a, "--decoder", b, "--tie", "--out", tmp["t"]), "--tie", "different tokenizer files");
        Assert.False(Directory.Exists(tmp["t"]));
    }

    [Fact]
    public void ConvertOnnxBert()
    {
        using var tmp = Paths.TempDir();
        File.WriteAllBytes(tmp["model.onnx"], MiniLm.Onnx);
        var r = CliRunner.Run("convert", "onnx-bert", "--onnx", tmp["model.onnx"], "--vocab", Path.Combine(MiniLm.Dir, "vocab.txt"), "--out", tmp["out"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("6 layers, hidden 384, 12 heads, vocab 30522", r.Stdout);
        Assert.Equal(File.ReadAllBytes(Path.Combine(MiniLm.Dir, "model.safetensors")), File.ReadAllBytes(tmp["out/model.safetensors"]));
        CliRunner.AssertOneLineError(CliRunner.Run("convert", "onnx-bert", "--onnx", tmp["out/vocab.txt"], "--vocab", tmp["out/vocab.txt"], "--out", tmp["x"]), "vocab.txt");
    }
}

public class AskCommandTests
{
    [Fact]
    public void InvalidSqlFromTheModelIsShownWithTheDatabasesErrorAndNothingCrashes()
    {
        using var tmp = Paths.TempDir();
        var bert = TinyBert.Encoder(tmp["bert"]);
        Assert.Equal(0, CliRunner.Run("init", "--encoder", bert, "--decoder", bert, "--out", tmp["m"], "--seed", "1").ExitCode);   // a fixed draw: SQL that does not run
        var db = Paths.Shared("data", "text2sql-data", "derived", "geography-v4.sqlite");
        var r = CliRunner.Run("ask", "--model", tmp["m"], "--db", db, "which state has the largest population ?", "--json", "--candidates", "2");
        Assert.Equal(1, r.ExitCode);
        var o = JsonNode.Parse(r.StdoutLines.Single())!;
        Assert.Equal("which state has the largest population ?", o["question"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(o["sql"]!.GetValue<string>()));
        Assert.Contains("SQLite Error", o["error"]!.GetValue<string>());
        Assert.DoesNotContain("   at ", r.Stderr);
        CliRunner.AssertOneLineError(CliRunner.Run("ask", "--model", tmp["m"], "--db", tmp["nope.sqlite"], "hi"), "nope.sqlite", "not found");
    }

    [Fact]
    public void WithTheSchemaConstraintEveryTableTheModelWritesIsOneOfTheDatabases()
    {
        using var tmp = Paths.TempDir();
        var bert = TinyBert.Encoder(tmp["bert"]);
        // a fixed draw of the new cross-attention weights, so what the untrained model writes is the same every run
        Assert.Equal(0, CliRunner.Run("init", "--encoder", bert, "--decoder", bert, "--out", tmp["m"], "--seed", "1").ExitCode);
        // the untrained model starts every query with FROM (forced first token), so the next word is what is checked
        var genPath = Path.Combine(tmp["m"], "generation_config.json");
        var gen = JsonNode.Parse(File.ReadAllText(genPath))!.AsObject();
        gen["forced_bos_token_id"] = 5 + Array.IndexOf(TinyBert.Words, "from");
        File.WriteAllText(genPath, gen.ToJsonString());
        var db = Paths.Shared("data", "text2sql-data", "derived", "geography-v4.sqlite");
        string[] questions = ["which state has the largest population ?", "which river ?", "the big city", "count the red cat", "a dog sat on the mat"];
        int tables = 0;
        foreach (var flag in new[] { "--schema-constraint", "--candidates" })
        {
            var r = CliRunner.Run(["ask", "--model", tmp["m"], "--db", db, "--json", flag, .. flag == "--candidates" ? new[] { "1" } : [], .. questions]);
            Assert.DoesNotContain("   at ", r.Stderr);
            var sqls = r.StdoutLines.Select(l => JsonNode.Parse(l)!["sql"]!.GetValue<string>()).ToList();
            Assert.Equal(questions.Length, sqls.Count);
            if (flag != "--schema-constraint") continue;
            foreach (var words in sqls.Select(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
                for (int i = 0; i + 1 < words.Length; i++)
                    if (words[i] == "from")
                    {
                        Assert.Contains(words[i + 1], new[] { "state", "city", "river", "(" });
                        tables++;
                    }
        }
        Assert.True(tables >= questions.Length, $"{tables} tables checked");
    }
}

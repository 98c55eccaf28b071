using System.Text.Json;
using System.Text.Json.Nodes;
using Tandem.Checkpoints;
using Tandem.Modeling;
using Tandem.Models.Gpt2;
using Tandem.Pipelines;
using Tandem.Pretraining;
using Tandem.Tests.TestSupport;
using Tandem.Tokenization;
using Tandem.Tokenization.Training;
using Tandem.Training;
using TorchSharp;
using Xunit.Abstractions;

namespace Tandem.Tests.Pretraining;

[Collection(SequentialCollection.Name)]
public class CausalLMPretrainingTests(ITestOutputHelper output)
{
    /// <summary>TinyGrammar's text, a byte-level BPE trained on it (tok/), and a 2-layer, 64-wide GPT-2 config
    /// (gpt2.json) whose vocabulary is the tokenizer's.</summary>
    internal static ITokenizer Write(string dir, int trainCount = 1600, int devCount = 200, double dropout = 0.0)
    {
        TinyGrammar.Write(dir, trainCount, devCount, dropout);
        var tokenizer = ByteLevelBpeTrainer.TrainAndSave([Path.Combine(dir, "train.txt")], new BpeTrainingOptions { VocabSize = 400 }, Path.Combine(dir, "bpe"));
        var gpt2 = new Dictionary<string, object>
        {
            ["model_type"] = "gpt2", ["vocab_size"] = tokenizer.VocabSize, ["n_embd"] = 64, ["n_layer"] = 2, ["n_head"] = 4,
            ["n_positions"] = 32, ["bos_token_id"] = 0, ["eos_token_id"] = 0,
            ["resid_pdrop"] = dropout, ["embd_pdrop"] = dropout, ["attn_pdrop"] = dropout,
        };
        File.WriteAllText(Path.Combine(dir, "gpt2.json"), JsonSerializer.Serialize(gpt2));
        return tokenizer;
    }

    /// <summary>A causal-LM config: blocks of 16 ids, 32 blocks a batch, 300 steps.</summary>
    internal static string Json(string dir, string runName) => $$"""
        {
          "seed": 1, "threads": 2,
          "objective": { "type": "clm", "block_size": 16 },
          "model": { "decoder": "random:{{Esc(dir, "gpt2.json")}}", "tokenizer": "{{Esc(dir, "bpe")}}" },
          "data": { "splits": { "train": "{{Esc(dir, "train.txt")}}", "dev": "{{Esc(dir, "dev.txt")}}" } },
          "optimizer": { "lr": 3e-3, "weight_decay": 0.01, "max_grad_norm": 1.0 },
          "schedule": { "max_steps": 300, "warmup_steps": 30, "decay": "linear" },
          "batching": { "max_tokens": 512 },
          "evaluation": { "every_steps": 150, "metric": "perplexity" },
          "output": { "dir": "{{Esc(dir, runName)}}", "plots": false, "log_every_steps": 50 }
        }
        """;

    static TrainConfig Config(string dir, string runName, params string[] overrides) => TrainConfigLoader.Parse(Json(dir, runName), overrides);

    static string Esc(string dir, string name) => Path.Combine(dir, name).Replace("\\", "\\\\");

    /// <summary>Cross-entropy (nats per token) of the dev text under the train text's token frequencies (add-one
    /// smoothed): what a model that ignores context can reach.</summary>
    static double UnigramBaseline(string dir, ITokenizer tokenizer)
    {
        IEnumerable<int> Ids(string file) => File.ReadLines(Path.Combine(dir, file))
            .SelectMany(l => tokenizer.EncodeToIds(l, addSpecialTokens: false).Append(tokenizer.EosTokenId!.Value));
        var counts = new long[tokenizer.VocabSize];
        foreach (var id in Ids("train.txt")) counts[id]++;
        double total = counts.Sum() + tokenizer.VocabSize;
        var dev = Ids("dev.txt").ToList();
        return dev.Average(id => -Math.Log((counts[id] + 1) / total));
    }

    /// <summary>The least mean loss per predicted token any model can reach on the dev blocks (nats): each predicted
    /// token costs <c>-ln p(token | its sentence so far)</c> under the grammar (every subject and verb equally likely),
    /// with the text as the tokenizer cuts it and packed as <see cref="BlockCorpus"/> packs it. A model sees less
    /// than the whole past, so it cannot do better. The first id of each block is context only, never predicted: with
    /// blocks of whole sentences that is always a subject, the dearest token, so the floor is below the sentence
    /// entropy per token.</summary>
    internal static double EntropyFloor(string devFile, ITokenizer tokenizer, int blockSize)
    {
        int eos = tokenizer.EosTokenId!.Value;
        int[] Encode(string line) => [.. tokenizer.EncodeToIds(line, addSpecialTokens: false), eos];
        var sentences = TinyGrammar.Nouns.SelectMany((noun, s) => TinyGrammar.Verbs.Select(verb => Encode($"{noun} {verb} {TinyGrammar.ObjectOf(s)}"))).ToList();
        double Cost(int[] ids, int i)
        {
            var alike = sentences.Where(x => x.Length > i && x.AsSpan(0, i).SequenceEqual(ids.AsSpan(0, i))).ToList();
            return -Math.Log((double)alike.Count(x => x[i] == ids[i]) / alike.Count);
        }
        var costs = File.ReadLines(devFile).Where(l => !string.IsNullOrWhiteSpace(l)).Select(Encode)
            .SelectMany(ids => Enumerable.Range(0, ids.Length).Select(i => Cost(ids, i))).ToList();
        int blocks = costs.Count / blockSize;
        double sum = Enumerable.Range(0, blocks).Sum(b => costs.Skip(b * blockSize + 1).Take(blockSize - 1).Sum());
        return sum / (blocks * (blockSize - 1));
    }

    [Fact]
    public void ATinyGpt2PretrainedOnASyntheticGrammarBeatsTheUnigramBaselineByFar()
    {
        using var tmp = Paths.TempDir();
        var tokenizer = Write(tmp.Path);
        var lines = new List<string>();
        var result = Trainer.Run(Config(tmp.Path, "run"), new TrainOptions { Log = lines.Add });
        var eval = result.LastEvaluation!;
        double baseline = UnigramBaseline(tmp.Path, tokenizer);
        double floor = EntropyFloor(Path.Combine(tmp.Path, "dev.txt"), tokenizer, blockSize: 16);
        output.WriteLine($"{result.Steps} steps; dev {eval}; unigram baseline {baseline:F3}, floor {floor:F4}");
        Assert.Equal(Math.Exp(eval.Loss!.Value), eval.Perplexity!.Value, 6);
        Assert.True(eval.Loss < 0.5 * baseline, $"dev loss {eval.Loss:F3} vs unigram {baseline:F3}\n{string.Join("\n", lines)}");
        // above the floor (up to the dev sample's noise, about 0.001 here), and near it: the rule is learnt
        Assert.True(eval.Loss > floor - 0.005, $"dev loss {eval.Loss:F4} below the text's entropy {floor:F4}: the model sees the future");
        Assert.True(eval.Loss < floor + 0.1, $"dev loss {eval.Loss:F4}, floor {floor:F4}");
        Assert.Contains("perplexity", File.ReadAllText(Path.Combine(result.RunDir, "metrics.jsonl")));

        // the checkpoint continues every "SUBJECT VERB" by the rule's object (greedy; chance among the nouns is 1 in 8)
        using var lm = CausalLMPipeline.Load(result.LastCheckpoint!);
        var prompts = Enumerable.Range(0, TinyGrammar.Nouns.Length).SelectMany(s => TinyGrammar.Verbs.Select(v => (s, Text: $"{TinyGrammar.Nouns[s]} {v}"))).ToList();
        var texts = lm.Generate(prompts.Select(p => p.Text).ToList(), new Tandem.Generation.GenerationConfig { MaxNewTokens = 1 }).Select(g => g.Texts[0]).ToList();
        int right = prompts.Zip(texts).Count(p => p.Second == $"{p.First.Text} {TinyGrammar.ObjectOf(p.First.s)}");
        output.WriteLine($"objects continued right: {right}/{prompts.Count}, e.g. {texts[0]}");
        Assert.True(right >= 0.9 * prompts.Count, $"{right}/{prompts.Count}: {string.Join(" | ", texts)}");
    }

    [Theory]
    [InlineData(0.0, "fp32")]
    [InlineData(0.9, "fp32")]
    [InlineData(0.0, "bf16")]
    public void InterruptedThenResumedEndsWithTheSameWeights(double emaDecay, string precision)
    {
        using var tmp = Paths.TempDir();
        Write(tmp.Path, trainCount: 400, devCount: 40, dropout: 0.1);
        string[] settings =
        [
            "schedule.max_steps=10", "schedule.warmup_steps=2", "evaluation.every_steps=5", "output.save_every_steps=5",
            "output.keep_last=3", "batching.max_tokens=256", "batching.accumulation_steps=2",
            $"optimizer.ema_decay={emaDecay.ToString(System.Globalization.CultureInfo.InvariantCulture)}", $"precision={precision}",
        ];
        var straight = Trainer.Run(Config(tmp.Path, "straight", settings));
        using var cts = new CancellationTokenSource();
        var first = Trainer.Run(Config(tmp.Path, "split", settings), new TrainOptions { Cancellation = cts.Token, Progress = new StopAtStep(5, cts) });
        Assert.True(first.Cancelled);
        var second = Trainer.Run(Config(tmp.Path, "split", settings), new TrainOptions { Resume = true });
        Assert.Equal(10, second.Steps);
        Assert.Equal(straight.LossCurve.Skip(5), second.LossCurve);
        SameWeights.Assert(Weights(straight.LastCheckpoint!), Weights(second.LastCheckpoint!));
    }

    static Dictionary<string, float[]> Weights(string checkpoint)
    {
        using var model = Gpt2LMHeadModel.FromPretrained(checkpoint);
        return SameWeights.Of(model);
    }

    [Fact]
    public void ACheckpointIsAGpt2LMHeadModelFolderThatWarmStartsADecoderWithOnlyCrossAttentionNew()
    {
        using var tmp = Paths.TempDir();
        var tokenizer = Write(tmp.Path, trainCount: 200, devCount: 20);
        var result = Trainer.Run(Config(tmp.Path, "run", "schedule.max_steps=3"));
        var dir = result.LastCheckpoint!;

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        Assert.Equal("GPT2LMHeadModel", config["architectures"]![0]!.GetValue<string>());
        Assert.Equal(tokenizer.EosTokenId, config["eos_token_id"]!.GetValue<int>());
        foreach (var f in new[] { "vocab.json", "merges.txt", "tokenizer.json" }) Assert.True(File.Exists(Path.Combine(dir, f)), f);
        using (var weights = StateDict.FromFolder(dir))
            Assert.All(weights.Tensors.Keys, k => Assert.StartsWith("transformer.", k));        // lm_head is tied to wte
        Assert.Equal(tokenizer.EncodeToIds("cat sees dog"), AutoTokenizer.FromPretrained(dir).EncodeToIds("cat sees dog"));

        var (model, report) = Seq2SeqInitializer.Create(Paths.Reference("tiny-bert2gpt2", "encoder"), dir, tie: false);
        using (model)
        {
            output.WriteLine(string.Join("\n", report.Describe()));
            Assert.Empty(report.DecoderLoad!.Unused);
            Assert.NotEmpty(report.DecoderLoad.Missing);
            Assert.All(report.DecoderLoad.Missing, k => Assert.True(k.Contains("crossattention") || k.Contains("ln_cross_attn"), k));
        }
    }

    [Fact]
    public void ATrainedModelSavedAndReloadedGivesEqualLogits()
    {
        using var tmp = Paths.TempDir();
        Write(tmp.Path, trainCount: 200, devCount: 20);
        using var task = CausalLMTask.Create(Config(tmp.Path, "run"), null, null, new CheckpointStore(tmp["run"]), _ => { });
        var model = (Gpt2LMHeadModel)task.Module;
        using (var loss = task.Loss(task.Batches(0)[0], 0, 0)) loss.backward();
        using (torch.no_grad())
            foreach (var p in model.parameters()) p.sub_(p.grad! * 0.5);                           // wte (and the tied head) moves
        task.SaveModel(tmp["saved"]);

        using var reloaded = Gpt2LMHeadModel.FromPretrained(tmp["saved"]);
        model.eval();
        using var scope = torch.NewDisposeScope();
        var ids = torch.randint(0, model.Config.VocabSize, [4, 16], dtype: torch.ScalarType.Int64);
        var before = model.forward(new DecoderInput { InputIds = ids });
        var after = reloaded.forward(new DecoderInput { InputIds = ids });
        Assert.True(before.equal(after).all().item<bool>(), $"max difference {(before - after).abs().max().item<float>()}");
    }

    [Fact]
    public void BadCausalLMConfigsAreOneClearError()
    {
        using var tmp = Paths.TempDir();
        Assert.Contains("model.decoder", Assert.Throws<TandemException>(() => Config(tmp.Path, "r", "model.decoder=null")).Message);
        Assert.Contains("model.tokenizer", Assert.Throws<TandemException>(() => Config(tmp.Path, "r", "model.tokenizer=null")).Message);
        Assert.Contains("only model.decoder", Assert.Throws<TandemException>(() => Config(tmp.Path, "r", "model.encoder=x")).Message);
        Assert.Contains("loss and perplexity", Assert.Throws<TandemException>(() => Config(tmp.Path, "r", "evaluation.metric=masked_accuracy")).Message);
    }
}

using Tandem.Pipelines;
using Tandem.Tests.TestSupport;
using Tandem.Tokenization;
using Tandem.Training;

namespace Tandem.Tests.Training;

/// <summary>A model folder with a tokenizer per side survives training, an interrupted run's resume and generation:
/// every checkpoint keeps the target tokenizer in its root and the source one in <c>encoder_tokenizer/</c>.</summary>
[Collection(SequentialCollection.Name)]
public sealed class TwoTokenizerRunTests
{
    // The tiny reversal task; the target side spells the letters with other ids (the vocabulary reversed).
    static string TwoTokenizerModel(string dir)
    {
        TinyTask.Write(dir, trainCount: 200, devCount: 8, hidden: 32);
        Directory.CreateDirectory(Path.Combine(dir, "tok2"));
        File.WriteAllLines(Path.Combine(dir, "tok2", "vocab.txt"), ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", .. TinyTask.Letters.Reverse()]);
        string random = "random:" + Path.Combine(dir, "half.json");
        var (model, _) = Seq2SeqInitializer.Create(random, random, tie: false, tokenizer: Path.Combine(dir, "tok"));
        string folder = Path.Combine(dir, "model");
        using (model)
            model.SavePretrained(folder);
        new Seq2SeqTokenizers(AutoTokenizer.FromPretrained(Path.Combine(dir, "tok")), AutoTokenizer.FromPretrained(Path.Combine(dir, "tok2")))
            .SavePretrained(folder);
        return folder;
    }

    static TrainConfig Config(string dir, string model) => TrainConfigLoader.Parse($$"""
        {
          "seed": 1, "threads": 2,
          "model": { "path": "{{Esc(model)}}" },
          "data": { "splits": { "train": "{{Esc(Path.Combine(dir, "train.jsonl"))}}", "dev": "{{Esc(Path.Combine(dir, "dev.jsonl"))}}" }, "max_source_length": 16, "max_target_length": 16 },
          "optimizer": { "lr": 3e-3 },
          "schedule": { "max_steps": 8, "warmup_steps": 2 },
          "batching": { "max_tokens": 300 },
          "evaluation": { "every_steps": 4, "max_examples": 4, "metric": "exact_match", "max_new_tokens": 6 },
          "output": { "dir": "{{Esc(Path.Combine(dir, "run"))}}", "plots": false, "save_every_steps": 4 }
        }
        """, []);

    static string Esc(string path) => path.Replace("\\", "\\\\");

    static void AssertTwoTokenizers(string folder, string dir)
    {
        Assert.Equal(File.ReadAllText(Path.Combine(dir, "tok2", "vocab.txt")), File.ReadAllText(Path.Combine(folder, "vocab.txt")));
        Assert.Equal(File.ReadAllText(Path.Combine(dir, "tok", "vocab.txt")),
            File.ReadAllText(Path.Combine(folder, Seq2SeqTokenizers.EncoderFolder, "vocab.txt")));
    }

    [Fact]
    public void TrainsResumesAndGeneratesWithBothTokenizers()
    {
        using var tmp = Paths.TempDir();
        var model = TwoTokenizerModel(tmp.Path);
        AssertTwoTokenizers(model, tmp.Path);

        using var cts = new CancellationTokenSource();
        var first = Trainer.Run(Config(tmp.Path, model), new TrainOptions { Cancellation = cts.Token, Progress = new Stopper(4, cts) });
        Assert.True(first.Cancelled);
        AssertTwoTokenizers(first.LastCheckpoint!, tmp.Path);
        var second = Trainer.Run(Config(tmp.Path, model), new TrainOptions { Resume = true });
        Assert.Equal(8, second.Steps);
        AssertTwoTokenizers(second.LastCheckpoint!, tmp.Path);

        using var pipeline = Seq2SeqPipeline.Load(second.LastCheckpoint!);
        Assert.False(pipeline.Tokenizers.Shared);
        var config = pipeline.Model.GenerationConfig;
        config.MaxNewTokens = 6;
        var item = pipeline.Generate(["a b c"], config).Single();
        Assert.Null(item.Error);
        Assert.Equal(pipeline.Tokenizers.Target.Decode(item.Sequences[0]), item.Texts[0]);
    }

    sealed class Stopper(int step, CancellationTokenSource cts) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress p) { if (p.Step == step) cts.Cancel(); }
    }
}

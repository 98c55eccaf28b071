using System.Text.Json;
using Tandem.Tokenization.Training;
using Tandem.Training;

namespace Tandem.Tests.Pretraining;

/// <summary>
/// A synthetic language for masked-LM tests: "SUBJECT VERB OBJECT", where the object is a fixed function of
/// the subject (noun i is always followed by noun (3i + 1) mod 8) and the verb is random. A masked object can be
/// restored only by a model that has learnt the rule from context; guessing among the nouns gets 1 in 8.
/// </summary>
internal static class TinyGrammar
{
    public static readonly string[] Nouns = "cat dog bird fish horse mouse cow sheep".Split(' ');
    public static readonly string[] Verbs = "sees chases likes bites".Split(' ');

    /// <summary>The object the rule gives subject <paramref name="subject"/>.</summary>
    public static string ObjectOf(int subject) => Nouns[(3 * subject + 1) % Nouns.Length];

    /// <summary>Writes train.txt / dev.txt, a tokenizer in tok/ and model.json (hidden 64, 2 layers) into
    /// <paramref name="dir"/>: a BERT with a WordPiece vocabulary of the words, or, with <paramref name="roberta"/>,
    /// a RoBERTa with a byte-level BPE trained on train.txt (as <c>tandem tokenizer train --template roberta</c>).</summary>
    public static void Write(string dir, int trainCount = 1600, int devCount = 200, double dropout = 0.0, bool roberta = false)
    {
        var rng = new Random(3);
        File.WriteAllLines(Path.Combine(dir, "train.txt"), Enumerable.Range(0, trainCount).Select(_ => Sentence(rng)));
        File.WriteAllLines(Path.Combine(dir, "dev.txt"), Enumerable.Range(0, devCount).Select(_ => Sentence(rng)));
        int vocabSize;
        if (roberta)
            vocabSize = ByteLevelBpeTrainer.TrainAndSave([Path.Combine(dir, "train.txt")],
                new BpeTrainingOptions { VocabSize = 400, Template = BpeTemplate.Roberta }, Path.Combine(dir, "tok")).VocabSize;
        else
        {
            Directory.CreateDirectory(Path.Combine(dir, "tok"));
            string[] vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", .. Nouns, .. Verbs];
            File.WriteAllLines(Path.Combine(dir, "tok", "vocab.txt"), vocab);
            vocabSize = vocab.Length;
        }
        var config = new Dictionary<string, object>
        {
            ["model_type"] = roberta ? "roberta" : "bert", ["vocab_size"] = vocabSize, ["hidden_size"] = 64, ["num_hidden_layers"] = 2,
            ["num_attention_heads"] = 4, ["intermediate_size"] = 128, ["max_position_embeddings"] = 32,
            ["hidden_dropout_prob"] = dropout, ["attention_probs_dropout_prob"] = dropout,
            ["pad_token_id"] = roberta ? 1 : 0, ["type_vocab_size"] = roberta ? 1 : 2,
        };
        File.WriteAllText(Path.Combine(dir, "model.json"), JsonSerializer.Serialize(config));
    }

    /// <summary>The mask token of the family's tokenizer.</summary>
    public static string Mask(bool roberta) => roberta ? "<mask>" : "[MASK]";

    /// <summary>The vocabulary token of a word after a space: <c>Ġ</c> and the word in byte-level BPE.</summary>
    public static string TokenOf(string word, bool roberta) => roberta ? "\u0120" + word : word;

    static string Sentence(Random rng)
    {
        int s = rng.Next(Nouns.Length);
        return $"{Nouns[s]} {Verbs[rng.Next(Verbs.Length)]} {ObjectOf(s)}";
    }

    /// <summary>A pre-training config: blocks of 5 ids (one sentence with [CLS] and [SEP], or &lt;s&gt; and &lt;/s&gt;), 64
    /// blocks a batch, 400 steps.</summary>
    public static string Json(string dir, string runName) => $$"""
        {
          "seed": 1, "threads": 2,
          "objective": { "type": "mlm", "mlm_probability": 0.15, "block_size": 5 },
          "model": { "encoder": "random:{{Esc(dir, "model.json")}}", "tokenizer": "{{Esc(dir, "tok")}}" },
          "data": { "splits": { "train": "{{Esc(dir, "train.txt")}}", "dev": "{{Esc(dir, "dev.txt")}}" } },
          "optimizer": { "lr": 3e-3, "weight_decay": 0.01, "max_grad_norm": 1.0 },
          "schedule": { "max_steps": 400, "warmup_steps": 40, "decay": "linear" },
          "batching": { "max_tokens": 320 },
          "evaluation": { "every_steps": 200, "metric": "masked_accuracy" },
          "output": { "dir": "{{Esc(dir, runName)}}", "plots": false, "log_every_steps": 50 }
        }
        """;

    public static TrainConfig Config(string dir, string runName, params string[] overrides) =>
        TrainConfigLoader.Parse(Json(dir, runName), overrides);

    static string Esc(string dir, string name) => Path.Combine(dir, name).Replace("\\", "\\\\");
}

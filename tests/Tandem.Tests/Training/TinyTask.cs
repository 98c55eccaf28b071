using System.Text.Json;
using Tandem.Training;

namespace Tandem.Tests.Training;

/// <summary>A tiny random BERT2BERT (or RoBERTa2RoBERTa, or either encoder with a GPT-2 decoder) on a letters
/// vocabulary, and the sequence-reversal task.</summary>
internal static class TinyTask
{
    public static readonly string[] Letters = "a b c d e f g h i j k l m n o p".Split(' ');

    /// <summary>Writes the tokenizer, the config both halves use and train/dev data into <paramref name="dir"/>.
    /// <paramref name="family"/> "roberta" gives RoBERTa's config and special tokens (&lt;s&gt;=0 &lt;pad&gt;=1
    /// &lt;/s&gt;=2, in a WordPiece vocabulary of letters).</summary>
    public static void Write(string dir, int trainCount = 1500, int devCount = 100, int hidden = 64, double dropout = 0.0, string family = "bert")
    {
        Directory.CreateDirectory(Path.Combine(dir, "tok"));
        bool roberta = family == "roberta";
        File.WriteAllLines(Path.Combine(dir, "tok", "vocab.txt"),
            roberta ? ["<s>", "<pad>", "</s>", "<unk>", "<mask>", .. Letters] : ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", .. Letters]);
        if (roberta)
            File.WriteAllText(Path.Combine(dir, "tok", "tokenizer_config.json"),
                """{"cls_token": "<s>", "sep_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>", "mask_token": "<mask>"}""");
        var half = new Dictionary<string, object>
        {
            ["model_type"] = family, ["vocab_size"] = 5 + Letters.Length, ["hidden_size"] = hidden, ["num_hidden_layers"] = 2,
            ["num_attention_heads"] = 4, ["intermediate_size"] = hidden * 2, ["max_position_embeddings"] = roberta ? 34 : 32,
            ["hidden_dropout_prob"] = dropout, ["attention_probs_dropout_prob"] = dropout, ["pad_token_id"] = roberta ? 1 : 0,
        };
        if (roberta)
        {
            half["bos_token_id"] = 0;
            half["eos_token_id"] = 2;
            half["type_vocab_size"] = 1;
        }
        File.WriteAllText(Path.Combine(dir, "half.json"), JsonSerializer.Serialize(half));
        // a GPT-2 decoder of the same width and vocabulary (BERT2GPT2, RoBERTa2GPT2): model.decoder=random:DIR/gpt2.json
        var gpt2 = new Dictionary<string, object>
        {
            ["model_type"] = "gpt2", ["vocab_size"] = 5 + Letters.Length, ["n_embd"] = hidden, ["n_layer"] = 2, ["n_head"] = 4,
            ["n_positions"] = 34, ["resid_pdrop"] = dropout, ["embd_pdrop"] = dropout, ["attn_pdrop"] = dropout,
            ["bos_token_id"] = roberta ? 0 : 2, ["eos_token_id"] = roberta ? 2 : 3,           // the letters vocabulary's start and end
        };
        File.WriteAllText(Path.Combine(dir, "gpt2.json"), JsonSerializer.Serialize(gpt2));
        var rng = new Random(7);
        WriteSplit(Path.Combine(dir, "train.jsonl"), trainCount, rng);
        WriteSplit(Path.Combine(dir, "dev.jsonl"), devCount, rng);
    }

    static void WriteSplit(string path, int n, Random rng)
    {
        var lines = new List<string>();
        for (int i = 0; i < n; i++)
        {
            var seq = Enumerable.Range(0, rng.Next(2, 7)).Select(_ => Letters[rng.Next(Letters.Length)]).ToArray();
            lines.Add(JsonSerializer.Serialize(new { source = string.Join(' ', seq), target = string.Join(' ', seq.Reverse()) }));
        }
        File.WriteAllLines(path, lines);
    }

    public static TrainConfig Config(string dir, string runName, params string[] overrides)
    {
        var json = $$"""
        {
          "seed": 1, "threads": 2,
          "model": { "encoder": "random:{{Esc(dir, "half.json")}}", "decoder": "random:{{Esc(dir, "half.json")}}", "tokenizer": "{{Esc(dir, "tok")}}" },
          "data": { "splits": { "train": "{{Esc(dir, "train.jsonl")}}", "dev": "{{Esc(dir, "dev.jsonl")}}" }, "max_source_length": 16, "max_target_length": 16 },
          "optimizer": { "lr": 3e-3, "weight_decay": 0.01, "max_grad_norm": 1.0 },
          "schedule": { "max_steps": 400, "warmup_steps": 30, "decay": "linear" },
          "batching": { "max_tokens": 1200 },
          "evaluation": { "every_steps": 0, "metric": "exact_match", "max_new_tokens": 10 },
          "output": { "dir": "{{Esc(dir, runName)}}", "plots": false, "log_every_steps": 50 }
        }
        """;
        return TrainConfigLoader.Parse(json, overrides);
    }

    static string Esc(string dir, string name) => Path.Combine(dir, name).Replace("\\", "\\\\");
}

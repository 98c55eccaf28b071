using System.Text.Json.Nodes;
using Tandem.Generation;

namespace Tandem.Tests.Generation;

public sealed class GenerationConfigTests
{
    [Fact]
    public void Defaults_MatchTransformers()
    {
        var c = new GenerationConfig();
        Assert.Equal(20, c.MaxLength);
        Assert.Equal(1, c.NumBeams);
        Assert.Equal(1.0, c.LengthPenalty);
        Assert.Equal(EarlyStopping.False, c.EarlyStopping);
        Assert.Equal(50, c.TopK);
        Assert.Equal(1.0, c.TopP);
        Assert.Equal(1.0, c.Temperature);
        Assert.Equal("{}", c.ToJson().Replace("\n", "").Replace(" ", ""));
    }

    [Fact]
    public void Json_RoundTrip_KeepsUnknownKeys_IntOrListEos_AndNever()
    {
        const string json = """
            {
              "_from_model_config": true,
              "decoder_start_token_id": 2,
              "early_stopping": "never",
              "eos_token_id": [3, 7],
              "forced_eos_token_id": 3,
              "bad_words_ids": [[5], [6, 7]],
              "num_beams": 4,
              "max_length": 20,
              "seed": 42,
              "transformers_version": "4.40.2"
            }
            """;
        var c = GenerationConfig.Parse(json);
        Assert.Equal(EarlyStopping.Never, c.EarlyStopping);
        Assert.Equal([3, 7], c.EosTokenId);
        Assert.Equal([3], c.ForcedEosTokenId);
        Assert.Equal(4, c.NumBeams);
        Assert.Equal(42L, c.Seed);
        Assert.Equal([6, 7], c.BadWordsIds![1]);

        var path = Path.Combine(Path.GetTempPath(), $"gen-{Guid.NewGuid():N}.json");
        try
        {
            c.Save(path);
            var saved = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            Assert.Equal("4.40.2", (string?)saved["transformers_version"]);
            Assert.True((bool)saved["_from_model_config"]!);
            Assert.Equal("never", (string?)saved["early_stopping"]);
            Assert.Equal(3, (int)saved["forced_eos_token_id"]!);
            Assert.Equal(2, saved["eos_token_id"]!.AsArray().Count);
            Assert.False(saved.ContainsKey("max_length")); // default, as transformers' diff dict
            Assert.Equal(saved.Select(p => p.Key).Order(StringComparer.Ordinal), saved.Select(p => p.Key));
            var again = GenerationConfig.Load(path);
            Assert.Equal(c.ToJson(), again.ToJson());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Json_EarlyStoppingBool_AndBadValues()
    {
        Assert.Equal(EarlyStopping.True, GenerationConfig.Parse("""{"early_stopping": true}""").EarlyStopping);
        Assert.Equal(EarlyStopping.False, GenerationConfig.Parse("""{"early_stopping": false}""").EarlyStopping);
        Assert.Throws<TandemException>(() => GenerationConfig.Parse("""{"early_stopping": "sometimes"}"""));
        Assert.Throws<TandemException>(() => GenerationConfig.Parse("""{"eos_token_id": "x"}"""));
    }

    [Theory]
    [InlineData("num_return_sequences", """{"num_beams": 2, "num_return_sequences": 3}""")]
    [InlineData("num_return_sequences", """{"num_return_sequences": 2}""")]
    [InlineData("top_p", """{"top_p": 0}""")]
    [InlineData("top_p", """{"top_p": 1.5}""")]
    [InlineData("temperature", """{"temperature": 0}""")]
    [InlineData("num_beams", """{"num_beams": 0}""")]
    [InlineData("max_new_tokens", """{"max_new_tokens": 0}""")]
    [InlineData("min_length", """{"min_length": -1}""")]
    [InlineData("repetition_penalty", """{"repetition_penalty": 0}""")]
    [InlineData("top_k", """{"top_k": -1}""")]
    [InlineData("no_repeat_ngram_size", """{"no_repeat_ngram_size": -2}""")]
    [InlineData("bad_words_ids", """{"bad_words_ids": [[]]}""")]
    [InlineData("eos_token_id", """{"eos_token_id": [-1]}""")]
    [InlineData("do_sample", """{"do_sample": true, "num_beams": 2}""")]
    public void Validate_NamesTheBadOption(string option, string json)
    {
        var e = Assert.Throws<TandemException>(() => GenerationConfig.Parse(json).Validate());
        Assert.Contains(option, e.Message);
    }

    [Fact]
    public void Validate_AcceptsSamplingWithSeveralSequences()
    {
        GenerationConfig.Parse("""{"do_sample": true, "num_return_sequences": 4, "top_p": 0.9}""").Validate();
        GenerationConfig.Parse("""{"num_beams": 4, "num_return_sequences": 4}""").Validate();
    }
}

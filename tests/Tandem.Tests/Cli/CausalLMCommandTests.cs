using System.Text.Json.Nodes;
using Tandem.Models.Gpt2;
using Tandem.Tests.TestSupport;
using Tandem.Tokenization;

namespace Tandem.Tests.Cli;

/// <summary><c>tandem generate</c> and <c>tandem info</c> on GPT-2 folders: a decoder-only LM continues prompts.</summary>
public class CausalLMCommandTests
{
    [Fact]
    public void IdsPromptsContinueAsTransformersGreedyDoes()
    {
        var r = Reference.Load("tiny-gpt2");
        var prompts = r.Rows("inputs.prompts_unpadded");
        var args = new List<string> { "generate", "--model", r.Dir, "--max-new-tokens", "12", "--json", "--batch-size", "3" };
        foreach (var p in prompts) args.AddRange(["--ids", string.Join(' ', p)]);
        var result = CliRunner.Run([.. args]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var greedy = r.Rows("generate.greedy.sequences");                                       // left-padded prompt + 12
        var lines = result.StdoutLines;
        Assert.Equal(prompts.Length, lines.Length);
        for (int i = 0; i < prompts.Length; i++)
        {
            var generated = greedy[i][^12..];
            int eos = Array.IndexOf(generated, 90L);
            long[] expected = [.. prompts[i], .. eos < 0 ? generated : generated[..(eos + 1)]];
            var got = JsonNode.Parse(lines[i])!["sequences"]![0]!.AsArray().Select(x => x!.GetValue<long>()).ToArray();
            Assert.Equal(expected, got);
        }
    }

    [Fact]
    public void TextWithoutTokenizerIsOneClearLine()
    {
        var r = CliRunner.Run("generate", "--model", Paths.Reference("tiny-gpt2"), "Once upon a time");
        CliRunner.AssertOneLineError(r, "no tokenizer", "--ids");
    }

    [Fact]
    public void TextPromptsUseTheByteLevelTokenizer()
    {
        using var dir = Paths.TempDir();
        var config = Gpt2Config.Parse("""{"model_type": "gpt2", "n_embd": 8, "n_layer": 1, "n_head": 2, "n_positions": 32}""");
        using (var model = new Gpt2LMHeadModel(config)) model.SavePretrained(dir.Path);
        foreach (var f in new[] { "vocab.json", "merges.txt" })
            File.Copy(Paths.Shared("reference", "tokenizers", "gpt2", f), dir[f]);
        var prompt = "Once upon a time";
        var ids = AutoTokenizer.FromPretrained(dir.Path).EncodeToIds(prompt, addSpecialTokens: false);
        var byText = CliRunner.Run("generate", "--model", dir.Path, prompt, "--max-new-tokens", "4", "--json");
        var byIds = CliRunner.Run("generate", "--model", dir.Path, "--ids", string.Join(' ', ids), "--max-new-tokens", "4", "--json");
        Assert.True(byText.ExitCode == 0, byText.Stderr);
        Assert.Equal(byText.Stdout, byIds.Stdout);
        var o = JsonNode.Parse(byText.StdoutLines[0])!;
        var sequence = o["sequences"]![0]!.AsArray().Select(x => x!.GetValue<int>()).ToArray();
        Assert.Equal(ids, sequence[..ids.Count]);
        Assert.InRange(sequence.Length, ids.Count + 1, ids.Count + 4);
        Assert.StartsWith(prompt, o["texts"]![0]!.GetValue<string>());
        var plain = CliRunner.Run("generate", "--model", dir.Path, prompt, "--max-new-tokens", "4", "--num-beams", "2");
        Assert.True(plain.ExitCode == 0, plain.Stderr);
        Assert.StartsWith(prompt, plain.StdoutLines[0]);
    }

    [Fact]
    public void InfoDescribesAGpt2Folder()
    {
        var r = CliRunner.Run("info", "--model", Paths.Reference("tiny-gpt2"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("GPT2LMHeadModel", r.Stdout);
        Assert.Contains("GPT-2, 2 layers, hidden 32", r.Stdout);
        Assert.Contains("eos_token_id: 90", r.Stdout);
        var decoderHalf = CliRunner.Run("generate", "--model", Path.Combine(Paths.Reference("tiny-bert2gpt2"), "decoder"), "--ids", "1 2");
        CliRunner.AssertOneLineError(decoderHalf, "cross-attention");
    }
}

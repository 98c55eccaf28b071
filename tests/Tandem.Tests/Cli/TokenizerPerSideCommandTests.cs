using System.Text.Json.Nodes;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Cli;

/// <summary><c>tandem init</c> from two checkpoints with different tokenizers, then <c>info</c>, <c>generate</c> and
/// <c>tokenize</c> on the folder it writes, as a user types them.</summary>
public sealed class TokenizerPerSideCommandTests
{
    [Fact]
    public void InitKeepsBothTokenizersAndTheOtherCommandsReadThem()
    {
        using var tmp = Paths.TempDir();
        var enc = TinyBert.Encoder(tmp["enc"]);
        var dec = TinyBert.Encoder(tmp["dec"]);
        TinyBert.WriteVocab(dec, reversed: true);
        var init = CliRunner.Run("init", "--encoder", enc, "--decoder", dec, "--out", tmp["m"]);
        Assert.True(init.ExitCode == 0, init.Stderr);
        Assert.True(File.Exists(Path.Combine(tmp["m"], "encoder_tokenizer", "vocab.txt")));

        var info = CliRunner.Run("info", "--model", tmp["m"]);
        Assert.Equal(0, info.ExitCode);
        Assert.Contains("source tokenizer: WordPiece", info.Stdout);
        Assert.Contains("target tokenizer: WordPiece", info.Stdout);

        var generated = CliRunner.Run("generate", "--model", tmp["m"], "the cat sat", "--max-new-tokens", "4", "--json");
        Assert.True(generated.ExitCode == 0, generated.Stderr);
        Assert.NotNull(JsonNode.Parse(generated.StdoutLines.Single()));

        // The root is the target tokenizer: "cat" is the reversed vocabulary's id there.
        var tokenize = CliRunner.Run("tokenize", "--tokenizer", tmp["m"], "--json", "cat");
        int cat = 5 + TinyBert.Words.Length - 1 - Array.IndexOf(TinyBert.Words, "cat");
        Assert.Equal([2, cat, 3], JsonNode.Parse(tokenize.StdoutLines.Single())!["ids"]!.AsArray().Select(x => x!.GetValue<int>()));
    }
}

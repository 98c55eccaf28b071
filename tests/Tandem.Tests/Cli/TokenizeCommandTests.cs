using System.Text.Json.Nodes;
using Tandem.Tests.TestSupport;
using Tandem.Tests.Tokenization;

namespace Tandem.Tests.Cli;

public sealed class TokenizeCommandTests
{
    [Fact]
    public void PrintsTransformersIdsAndTokensAsJsonLines()
    {
        var r = CliRunner.Run("tokenize", "--tokenizer", ReferenceTokenizers.Dir(ReferenceTokenizers.Roberta), "--json", "Hello world", "The answer is <mask>.");
        Assert.Equal(0, r.ExitCode);
        var lines = r.StdoutLines.Select(l => JsonNode.Parse(l)!).ToArray();
        Assert.Equal(2, lines.Length);
        var results = ReferenceTokenizers.Reference[ReferenceTokenizers.Roberta]!["results"]!;
        Assert.Equal("Hello world", lines[0]["text"]!.GetValue<string>());
        Assert.Equal(ReferenceTokenizers.Ints(results[0]!["ids"]), ReferenceTokenizers.Ints(lines[0]["ids"]));
        Assert.Equal(ReferenceTokenizers.Strings(results[0]!["tokens"]), ReferenceTokenizers.Strings(lines[0]["tokens"]));
        Assert.Equal(ReferenceTokenizers.Ints(results[43]!["ids"]), ReferenceTokenizers.Ints(lines[1]["ids"]));
    }

    [Fact]
    public void PrintsOnePlainLinePerTextAndEncodesPairs()
    {
        var r = CliRunner.Run("tokenize", "--tokenizer", ReferenceTokenizers.Dir(ReferenceTokenizers.Bert), "--pair", "How are you?", "Hello world");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(["Hello world\t[CLS] hello world [SEP] how are you ? [SEP]\t101 7592 2088 102 2129 2024 2017 1029 102"], r.StdoutLines);
    }

    [Fact]
    public void AMalformedTokenizerIsOneLine()
    {
        using var dir = Paths.TempDir();
        File.WriteAllText(dir["tokenizer.json"], "not json");
        CliRunner.AssertOneLineError(CliRunner.Run("tokenize", "--tokenizer", dir.Path, "text"), "tokenizer.json is not valid JSON");
    }
}

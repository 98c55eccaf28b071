using Tandem.Generation;

namespace Tandem.Tests.Generation;

/// <summary>Bad options reach <see cref="Tandem.Generation.Generator.Generate"/> as one clear
/// <see cref="TandemException"/> naming the option and the value, before the model runs.</summary>
public sealed class BadInputTests
{
    static GenerationConfig Config(Action<GenerationConfig> set)
    {
        var c = new GenerationConfig { DecoderStartTokenId = 2, EosTokenId = [3], PadTokenId = 0, MaxLength = 8 };
        set(c);
        return c;
    }

    public static TheoryData<string, string, Action<GenerationConfig>> Cases => new()
    {
        { "num_return_sequences (5) must not exceed num_beams (4)", "nrs > beams", c => { c.NumBeams = 4; c.NumReturnSequences = 5; } },
        { "num_return_sequences=2 needs beam search", "nrs without beams", c => c.NumReturnSequences = 2 },
        { "top_p must be in (0, 1] (got 0)", "top_p 0", c => { c.DoSample = true; c.TopP = 0; } },
        { "top_p must be in (0, 1] (got -0.5)", "top_p negative", c => { c.DoSample = true; c.TopP = -0.5; } },
        { "top_p must be in (0, 1] (got 1.01)", "top_p above 1", c => { c.DoSample = true; c.TopP = 1.01; } },
        { "top_p must be in (0, 1] (got NaN)", "top_p NaN", c => c.TopP = double.NaN },
        { "temperature must be a strictly positive number (got 0)", "temperature 0", c => { c.DoSample = true; c.Temperature = 0; } },
        { "temperature must be a strictly positive number (got -1)", "temperature negative", c => { c.DoSample = true; c.Temperature = -1; } },
        { "temperature must be a strictly positive number (got Infinity)", "temperature infinite", c => c.Temperature = double.PositiveInfinity },
        { "max_length (1) must be greater than the decoder prompt length (1", "max_length = prompt", c => c.MaxLength = 1 },
        { "max_length must be at least 1 (got 0)", "max_length 0", c => c.MaxLength = 0 },
        { "max_new_tokens must be greater than 0 (got 0)", "max_new_tokens 0", c => c.MaxNewTokens = 0 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generate_RejectsBadOptions_WithAClearMessage(string message, string what, Action<GenerationConfig> set)
    {
        var model = ScriptedModel.FromTable([], [.1f, .1f, .1f, .4f, .2f, .1f]);
        var (ids, mask) = ScriptedModel.Inputs(1);
        var e = Assert.Throws<TandemException>(() => Tandem.Generation.Generator.Generate(model, ids, mask, Config(set)));
        Assert.True(e.Message.Contains(message, StringComparison.Ordinal), $"{what}: {e.Message}");
        Assert.Null(model.LastSession); // rejected before the encoder runs
    }

    [Fact]
    public void Generate_RejectsInputIdsThatAreNot2D()
    {
        var model = ScriptedModel.FromTable([], [.1f, .1f, .1f, .4f, .2f, .1f]);
        using var ids = TorchSharp.torch.ones(3, TorchSharp.torch.ScalarType.Int64);
        var e = Assert.Throws<TandemException>(() => Tandem.Generation.Generator.Generate(model, ids, ids, Config(_ => { })));
        Assert.Contains("input_ids", e.Message);
    }
}

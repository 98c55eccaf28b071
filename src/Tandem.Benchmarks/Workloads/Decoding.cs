using Tandem.Generation;
using Tandem.Modeling;
using Tandem.Models.EncoderDecoder;
using static TorchSharp.torch;

namespace Tandem.Benchmarks.Workloads;

/// <summary>Generation with the MiniLM-shaped BERT2BERT: random sources, exactly the given number of new tokens
/// (minimum = maximum, so EOS never ends a row early), greedy or beam search, with or without the key/value cache.</summary>
public static class Decoding
{
    /// <summary>Options for <paramref name="beams"/> beams (1: greedy) and exactly <paramref name="newTokens"/> tokens.</summary>
    public static GenerationConfig Config(int beams, int newTokens) => new()
    {
        DecoderStartTokenId = MiniLmShape.DecoderStart,
        EosTokenId = [MiniLmShape.Eos],
        PadTokenId = MiniLmShape.Pad,
        MaxNewTokens = newTokens,
        MinNewTokens = newTokens,
        NumBeams = beams,
    };

    /// <summary>Generates once and checks that every row got its tokens.</summary>
    public static void Run(EncoderDecoderModel model, Tensor ids, Tensor mask, int beams, int newTokens, bool useCache = true)
    {
        var output = Tandem.Generation.Generator.Generate(model, ids, mask, Config(beams, newTokens), useCache);
        int rows = (int)ids.size(0);
        if (output.Sequences.Length != rows || output.Sequences.Any(s => s.Length != 1 + newTokens))
            throw new InvalidOperationException(
                $"expected {rows} sequences of {1 + newTokens} tokens, got {output.Sequences.Length} of {output.Sequences[0].Length}");
    }

    /// <summary>Median seconds of a generate call for <paramref name="batch"/> sources of <paramref name="source"/>
    /// tokens, after one warm-up call; the model is built here (random weights, seed 0). With
    /// <paramref name="dtype"/> bf16 the call runs under an <see cref="Autocast"/> scope, as <c>--precision bf16</c>
    /// does.</summary>
    public static double Time(int batch, int beams, int source, int newTokens, int runs, ScalarType dtype = ScalarType.Float32)
    {
        manual_seed(0);
        using var model = new EncoderDecoderModel(MiniLmShape.Config());
        model.eval();
        using var ids = randint(1000, 30000, [batch, source], dtype: ScalarType.Int64);     // [batch, src]
        using var mask = ones_like(ids);                                                    // [batch, src]
        using var precision = Autocast.Enter(dtype == ScalarType.Float32 ? null : dtype);
        return Repeat.MedianSeconds(1, runs, () => Run(model, ids, mask, beams, newTokens));
    }
}

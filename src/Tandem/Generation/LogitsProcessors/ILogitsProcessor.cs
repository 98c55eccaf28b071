using TorchSharp;
using Tandem.Native;
using static TorchSharp.torch;

namespace Tandem.Generation.LogitsProcessors;

/// <summary>One step of transformers' logits processing: maps next-token scores <c>[rows, vocab]</c> given the
/// decoder sequences so far <c>[rows, curLen]</c> (int64, starting with the decoder start token) to new scores.
/// Implementations never modify their inputs; call them inside the step's dispose scope.</summary>
internal interface ILogitsProcessor
{
    /// <summary>Returns the processed scores, a new tensor of the shape of <paramref name="scores"/>.</summary>
    Tensor Process(Tensor sequences, Tensor scores);
}

/// <summary>Processors applied in order, as transformers' <c>LogitsProcessorList</c>.</summary>
internal sealed class LogitsProcessorList(IReadOnlyList<ILogitsProcessor> processors)
{
    /// <summary>The processors, in application order.</summary>
    public IReadOnlyList<ILogitsProcessor> Processors { get; } = processors;

    /// <summary>Applies every processor in order; with none, returns <paramref name="scores"/> itself.</summary>
    public Tensor Apply(Tensor sequences, Tensor scores)
    {
        foreach (var p in Processors) scores = p.Process(sequences, scores);
        return scores;
    }
}

/// <summary>Small helpers shared by the processors.</summary>
internal static class ScoreOps
{
    /// <summary>The rows of an int64 tensor <c>[rows, len]</c> as arrays.</summary>
    public static long[][] Rows(Tensor sequences)
    {
        long rows = sequences.size(0), len = sequences.size(1);
        using var scope = NewDisposeScope();
        var flat = sequences.to(ScalarType.Int64, CPU).contiguous().data<long>().ToArray();
        var result = new long[rows][];
        for (long r = 0; r < rows; r++) result[r] = flat.AsSpan((int)(r * len), (int)len).ToArray();
        return result;
    }

    /// <summary>A copy of <paramref name="scores"/> with <paramref name="value"/> at each (row, column) pair.</summary>
    public static Tensor FillAt(Tensor scores, List<long> rows, List<long> cols, float value)
    {
        var result = scores.clone();
        if (rows.Count == 0) return result;
        var r = tensor(rows.ToArray(), device: scores.device);
        var c = tensor(cols.ToArray(), device: scores.device);
        result.index_put_(tensor(value, scores.dtype, scores.device), r, c);
        return result;
    }

    /// <summary>Scores <c>[rows, vocab]</c> that are -inf everywhere except 0 at <paramref name="tokens"/>.</summary>
    public static Tensor OnlyTokens(Tensor scores, IReadOnlyList<int> tokens)
    {
        var result = full_like(scores, Scalars.NegativeInfinity);
        var idx = tensor(tokens.Select(t => (long)t).ToArray(), device: scores.device);
        return result.index_fill_(1, idx, Scalars.Zero);
    }

    /// <summary>Throws unless every id is a valid column of a vocabulary of size <paramref name="vocab"/>.</summary>
    public static void CheckInVocab(string what, IEnumerable<int> ids, long vocab)
    {
        foreach (var id in ids)
            if (id < 0 || id >= vocab)
                throw new TandemException($"{what} holds token id {id}, outside the vocabulary [0, {vocab}).");
    }
}

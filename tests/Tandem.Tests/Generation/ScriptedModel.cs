using Tandem.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Tests.Generation;

/// <summary>A fake model whose next-token logits come from a function of (input row, decoder prefix). Tracks
/// row reorders the way a real session tracks its caches, so expansion to beams and beam reordering are tested.</summary>
internal sealed class ScriptedModel(Func<int, long[], float[]> logitsOf) : IGenerativeModel
{
    public ScriptedSession? LastSession { get; private set; }

    public IDecodingSession StartDecoding(Tensor inputIds, Tensor attentionMask, bool useCache = true) =>
        LastSession = new ScriptedSession(logitsOf, (int)inputIds.shape[0]);

    /// <summary>A model whose logits are log-probabilities from a table keyed by "input:prefix" (e.g. "0:2 4");
    /// prefixes missing from the table get <paramref name="fallback"/>.</summary>
    public static ScriptedModel FromTable(Dictionary<string, float[]> table, float[] fallback) =>
        new((input, prefix) =>
        {
            var key = $"{input}:{string.Join(' ', prefix)}";
            var probs = table.TryGetValue(key, out var p) ? p : fallback;
            return probs.Select(x => MathF.Log(x)).ToArray();
        });

    /// <summary>Input ids of <paramref name="batch"/> rows (their values do not matter to the script).</summary>
    public static (Tensor Ids, Tensor Mask) Inputs(int batch) =>
        (ones(batch, 3, ScalarType.Int64), ones(batch, 3, ScalarType.Int64));
}

internal sealed class ScriptedSession(Func<int, long[], float[]> logitsOf, int batch) : IDecodingSession
{
    private long[] _source = Enumerable.Range(0, batch).Select(i => (long)i).ToArray();

    public int Calls { get; private set; }
    public bool Disposed { get; private set; }

    public Tensor NextLogits(Tensor sequences)
    {
        Assert.False(Disposed);
        Assert.Equal(_source.Length, sequences.shape[0]);
        Calls++;
        long len = sequences.shape[1];
        var flat = sequences.contiguous().data<long>().ToArray();
        var rows = new List<float>();
        for (int r = 0; r < _source.Length; r++)
            rows.AddRange(logitsOf((int)_source[r], flat.AsSpan((int)(r * len), (int)len).ToArray()));
        return tensor(rows.ToArray(), [_source.Length, rows.Count / _source.Length]);
    }

    public void Reorder(Tensor rowIndices)
    {
        var idx = rowIndices.data<long>().ToArray();
        _source = idx.Select(i => _source[i]).ToArray();
    }

    public void Dispose() => Disposed = true;
}

using static TorchSharp.torch;

namespace Tandem.Tokenization;

/// <summary>
/// A tokenized batch: one row per input text (or text pair), as Hugging Face's <c>BatchEncoding</c>.
/// </summary>
public sealed class BatchEncoding
{
    internal BatchEncoding(long[][] inputIds, long[][] attentionMask, long[][] tokenTypeIds, bool[] truncated)
    {
        InputIds = inputIds;
        AttentionMask = attentionMask;
        TokenTypeIds = tokenTypeIds;
        Truncated = truncated;
    }

    /// <summary>Token ids of each row, special tokens and padding included.</summary>
    public long[][] InputIds { get; }

    /// <summary>1 for a real token, 0 for padding, per row.</summary>
    public long[][] AttentionMask { get; }

    /// <summary>0 for the first sentence (and padding), 1 for the second sentence of a pair, per row.</summary>
    public long[][] TokenTypeIds { get; }

    /// <summary>True for each row that was cut to the maximum length (the caller may warn).</summary>
    public bool[] Truncated { get; }

    /// <summary>Number of rows.</summary>
    public int Count => InputIds.Length;

    /// <summary>
    /// The three fields as int64 tensors <c>[batch, len]</c>, created in the caller's dispose scope. All rows must
    /// have the same length (encode with padding, or a single text).
    /// </summary>
    /// <exception cref="TandemException">Rows have different lengths.</exception>
    public (Tensor InputIds, Tensor AttentionMask, Tensor TokenTypeIds) ToTensors()
    {
        var (ids, mask, types, len) = Flat();
        long[] shape = [Count, len];
        return (tensor(ids, shape, ScalarType.Int64), tensor(mask, shape, ScalarType.Int64), tensor(types, shape, ScalarType.Int64));
    }

    /// <summary>The three fields flattened row after row (<c>[batch, len]</c> in row-major order) and the rows'
    /// length. All rows must have the same length (encode with padding, or a single text).</summary>
    /// <exception cref="TandemException">Rows have different lengths.</exception>
    public (long[] InputIds, long[] AttentionMask, long[] TokenTypeIds, int Length) Flat()
    {
        int len = Count == 0 ? 0 : InputIds[0].Length;
        if (InputIds.Any(r => r.Length != len))
            throw new TandemException("cannot stack rows of different lengths into a tensor; encode with padding");
        return (Stack(InputIds, len), Stack(AttentionMask, len), Stack(TokenTypeIds, len), len);
    }

    private static long[] Stack(long[][] rows, int len)
    {
        var flat = new long[rows.Length * len];
        for (int i = 0; i < rows.Length; i++)
            rows[i].CopyTo(flat, i * len);
        return flat;
    }
}

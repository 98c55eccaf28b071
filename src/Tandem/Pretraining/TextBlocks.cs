namespace Tandem.Pretraining;

/// <summary>
/// Packs tokenised lines into blocks of a fixed length, as transformers' <c>run_mlm</c> and <c>run_clm</c> do
/// (<c>group_texts</c>): every line keeps its special tokens, the lines are concatenated, and the stream is cut into
/// blocks of <c>blockSize</c> ids; the last, shorter remainder is dropped. Long lines thus span blocks and short ones
/// share them, so no position is wasted on padding.
/// </summary>
public static class TextBlocks
{
    /// <summary>Blocks of <paramref name="blockSize"/> ids from <paramref name="lines"/>, in order.</summary>
    public static IEnumerable<long[]> Pack(IEnumerable<IReadOnlyList<int>> lines, int blockSize)
    {
        if (blockSize < 2) throw new TandemException($"block size {blockSize} must be at least 2");
        var buffer = new List<long>(blockSize * 2);
        foreach (var line in lines)
        {
            foreach (var id in line) buffer.Add(id);
            while (buffer.Count >= blockSize)
            {
                yield return buffer.GetRange(0, blockSize).ToArray();
                buffer.RemoveRange(0, blockSize);
            }
        }
    }
}

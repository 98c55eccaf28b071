namespace Tandem.Training.Data;

/// <summary>Groups examples of similar lengths into batches whose padded size (rows × (longest source + longest
/// target)) stays within a token budget. With shuffling, the order depends only on the seed and the epoch, so a
/// resumed run sees the same batches.</summary>
public static class LengthBatcher
{
    /// <summary>The batches (example indices) of one epoch.</summary>
    /// <param name="examples">The split.</param>
    /// <param name="maxTokens">Padded source + target tokens per batch (a single longer example still forms a batch).</param>
    /// <param name="maxBatchSize">Most rows per batch (0 = no limit).</param>
    /// <param name="shuffle">Shuffle examples (within similar lengths) and the batch order.</param>
    /// <param name="seed">Shuffling seed.</param>
    /// <param name="epoch">Epoch number (mixed into the seed).</param>
    public static List<int[]> Batches(IReadOnlyList<TokenizedExample> examples, int maxTokens, int maxBatchSize, bool shuffle, int seed, int epoch)
    {
        var order = Enumerable.Range(0, examples.Count).ToArray();
        var rng = new Random(unchecked(seed * 1_000_003 + epoch));
        if (shuffle) rng.Shuffle(order);
        // Stable sort by length: ties keep the shuffled order, so equal-length examples still mix across epochs.
        order = order.OrderBy(i => examples[i].Source.Length + examples[i].Labels.Length).ToArray();
        var batches = new List<int[]>();
        var current = new List<int>();
        int maxSrc = 0, maxTgt = 0;
        foreach (var i in order)
        {
            int s = Math.Max(maxSrc, examples[i].Source.Length), t = Math.Max(maxTgt, examples[i].Labels.Length);
            bool full = current.Count > 0 && ((current.Count + 1) * (s + t) > maxTokens || maxBatchSize > 0 && current.Count >= maxBatchSize);
            if (full)
            {
                batches.Add([.. current]);
                current.Clear();
                s = examples[i].Source.Length;
                t = examples[i].Labels.Length;
            }
            current.Add(i);
            (maxSrc, maxTgt) = (s, t);
        }
        if (current.Count > 0) batches.Add([.. current]);
        if (shuffle) rng.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batches));
        return batches;
    }
}

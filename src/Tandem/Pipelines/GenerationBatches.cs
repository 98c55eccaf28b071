namespace Tandem.Pipelines;

/// <summary>The batching every generation pipeline shares: inputs in order, an item with an error for an input that
/// cannot be generated (empty, or an id outside the vocabulary), the others generated <c>batchSize</c> at a time.</summary>
internal static class GenerationBatches
{
    /// <summary>Yields one item per input, in order; <paramref name="runBatch"/> generates a batch of valid inputs.</summary>
    public static IEnumerable<GeneratedItem> Run(List<(int Index, long[]? Ids, string? Error)> items, int batchSize, int vocab,
        Func<List<(int Index, long[] Ids)>, List<GeneratedItem>> runBatch)
    {
        if (batchSize < 1) throw new TandemException($"--batch-size must be at least 1, got {batchSize}");
        var pending = new List<(int Index, long[] Ids)>();
        foreach (var item in items)
        {
            if (item.Error is not null)
            {
                foreach (var done in Flush()) yield return done;
                yield return new GeneratedItem(item.Index, [], [], null, item.Error);
                continue;
            }
            var bad = item.Ids!.FirstOrDefault(t => t < 0 || t >= vocab, -1);
            if (bad != -1)
            {
                foreach (var done in Flush()) yield return done;
                yield return new GeneratedItem(item.Index, [], [], null, $"input {item.Index + 1}: token id {bad} is outside the vocabulary (0..{vocab - 1})");
                continue;
            }
            pending.Add((item.Index, item.Ids!));
            if (pending.Count == batchSize) foreach (var done in Flush()) yield return done;
        }
        foreach (var done in Flush()) yield return done;

        IEnumerable<GeneratedItem> Flush()
        {
            if (pending.Count == 0) return [];
            var batch = pending.ToList();
            pending.Clear();
            return runBatch(batch);
        }
    }
}

namespace Tandem.Tokenization;

/// <summary>
/// Turns token ids (without special tokens) into a <see cref="BatchEncoding"/>: truncation, special tokens,
/// token types and right padding, following transformers' rules for BERT.
/// </summary>
internal static class BatchBuilder
{
    public static BatchEncoding Build(WordPieceTokenizer t, List<int>[] first, List<int>[]? second, EncodeOptions o)
    {
        int specials = !o.AddSpecialTokens ? 0 : second is null ? 2 : 3;
        int? maxLength = o.MaxLength ?? t.ModelMaxLength;
        if (maxLength is int m && m <= specials && (o.Truncation || o.Padding == PaddingStrategy.MaxLength))
            throw new TandemException($"max length {m} leaves no room for text beside {specials} special tokens");

        int n = first.Length;
        var ids = new long[n][];
        var types = new long[n][];
        var truncated = new bool[n];
        for (int i = 0; i < n; i++)
        {
            var a = first[i];
            var b = second?[i];
            if (o.Truncation && maxLength is int max)
                truncated[i] = Truncate(a, b, max - specials);
            (ids[i], types[i]) = Join(t, a, b, o.AddSpecialTokens);
        }

        int target = o.Padding switch
        {
            PaddingStrategy.None => 0,
            PaddingStrategy.Longest => ids.Length == 0 ? 0 : ids.Max(r => r.Length),
            _ => maxLength ?? throw new TandemException("padding to max length needs a max length (none given, and the tokenizer has no model_max_length)"),
        };
        var mask = new long[n][];
        for (int i = 0; i < n; i++)
        {
            int len = ids[i].Length;
            mask[i] = Enumerable.Repeat(1L, len).ToArray();
            if (len < target)
            {
                ids[i] = Pad(ids[i], target, t.PadTokenId);
                types[i] = Pad(types[i], target, 0);
                mask[i] = Pad(mask[i], target, 0);
            }
        }
        return new BatchEncoding(ids, mask, types, truncated);
    }

    // Longest-first: drop the last token of the longer sentence (the second on a tie) until both fit in budget.
    private static bool Truncate(List<int> a, List<int>? b, int budget)
    {
        int total = a.Count + (b?.Count ?? 0);
        if (total <= budget)
            return false;
        int keepA = a.Count, keepB = b?.Count ?? 0;
        for (int excess = total - budget; excess > 0; excess--)
        {
            if (b is null || keepA > keepB)
                keepA--;
            else
                keepB--;
        }
        a.RemoveRange(keepA, a.Count - keepA);
        b?.RemoveRange(keepB, b.Count - keepB);
        return true;
    }

    private static (long[] Ids, long[] Types) Join(WordPieceTokenizer t, List<int> a, List<int>? b, bool special)
    {
        var ids = new List<long>(a.Count + (b?.Count ?? 0) + 3);
        if (special) ids.Add(t.ClsTokenId);
        ids.AddRange(a.Select(x => (long)x));
        if (special) ids.Add(t.SepTokenId);
        int firstLen = ids.Count;
        if (b is not null)
        {
            ids.AddRange(b.Select(x => (long)x));
            if (special) ids.Add(t.SepTokenId);
        }
        var types = new long[ids.Count];
        Array.Fill(types, 1L, firstLen, ids.Count - firstLen);
        return (ids.ToArray(), types);
    }

    private static long[] Pad(long[] row, int length, long value)
    {
        var padded = new long[length];
        row.CopyTo(padded, 0);
        Array.Fill(padded, value, row.Length, length - row.Length);
        return padded;
    }
}

namespace Tandem.Tokenization;

/// <summary>
/// Turns token ids (without special tokens) into a <see cref="BatchEncoding"/>: truncation, the special tokens of a
/// <see cref="TokenTemplate"/>, token types and right padding, following transformers' rules.
/// </summary>
internal static class BatchBuilder
{
    /// <summary>Encodes texts (and second texts of pairs) with <paramref name="pieces"/> (ids without special
    /// tokens), then builds the batch.</summary>
    /// <exception cref="TandemException">The lists differ in length, a text gives no tokens (unless allowed), or
    /// the options conflict.</exception>
    public static BatchEncoding Encode(Func<string, List<int>> pieces, TokenTemplate template, int? padId,
        int? modelMaxLength, IReadOnlyList<string> first, IReadOnlyList<string>? second, EncodeOptions? options)
    {
        if (second is not null && first.Count != second.Count)
            throw new TandemException($"pair encoding needs as many second texts ({second.Count}) as first texts ({first.Count})");
        var o = options ?? new EncodeOptions();
        return Build(template, padId, modelMaxLength, Rows(pieces, first, o, "input"),
            second is null ? null : Rows(pieces, second, o, "second input"), o);
    }

    private static List<int>[] Rows(Func<string, List<int>> pieces, IReadOnlyList<string> texts, EncodeOptions o, string what)
    {
        var rows = new List<int>[texts.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = pieces(texts[i] ?? "");
            if (rows[i].Count == 0 && !o.AllowEmpty)
                throw new TandemException($"{what} {i} is empty");
        }
        return rows;
    }

    /// <summary>Builds the batch; <paramref name="padId"/> null means the tokenizer has no pad token, which is an
    /// error only when a row needs padding.</summary>
    public static BatchEncoding Build(TokenTemplate template, int? padId, int? modelMaxLength,
        List<int>[] first, List<int>[]? second, EncodeOptions o)
    {
        int specials = o.AddSpecialTokens ? template.SpecialCount(second is not null) : 0;
        int? maxLength = o.MaxLength ?? modelMaxLength;
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
            (ids[i], types[i]) = template.Apply(a, b, o.AddSpecialTokens);
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
                ids[i] = Pad(ids[i], target, padId ?? throw new TandemException(
                    "the tokenizer has no pad token (pad_token), so rows of different lengths cannot be padded; encode them one at a time"));
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

    private static long[] Pad(long[] row, int length, long value)
    {
        var padded = new long[length];
        row.CopyTo(padded, 0);
        Array.Fill(padded, value, row.Length, length - row.Length);
        return padded;
    }
}

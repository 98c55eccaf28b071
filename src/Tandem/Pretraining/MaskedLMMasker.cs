namespace Tandem.Pretraining;

/// <summary>One masked example: the ids the model reads and the labels it predicts (-100 where nothing is asked).</summary>
/// <param name="InputIds">Input ids with the chosen tokens replaced.</param>
/// <param name="Labels">The original id at chosen positions, -100 elsewhere.</param>
public sealed record MaskedExample(long[] InputIds, long[] Labels);

/// <summary>
/// Chooses and replaces the tokens a masked language model learns to predict, as BERT's recipe and transformers'
/// data collators do: each non-special token is chosen with probability <see cref="MaskingOptions.MlmProbability"/>
/// (or whole words until that share of the tokens is chosen); a chosen token becomes [MASK] (80 %), a random
/// token (10 %) or stays (10 %). Special tokens are never chosen. The choice is drawn from a generator seeded by
/// the caller, so every epoch masks afresh and a resumed run masks exactly as the uninterrupted one.
/// </summary>
/// <param name="options">The recipe.</param>
/// <param name="maskId">The [MASK] id.</param>
/// <param name="vocabSize">Random replacements are drawn from <c>[0, vocabSize)</c> (as transformers draws them).</param>
/// <param name="isSpecial">Whether an id is a special token ([CLS], [SEP], [PAD], ...).</param>
/// <param name="isContinuation">For whole-word masking: whether an id continues the previous token's word (<c>##</c>).</param>
public sealed class MaskedLMMasker(MaskingOptions options, int maskId, int vocabSize, Func<long, bool> isSpecial, Func<long, bool>? isContinuation = null)
{
    /// <summary>The label of positions the loss ignores.</summary>
    public const long Ignore = -100;

    /// <summary>Masks <paramref name="ids"/> with draws from <paramref name="rng"/>.</summary>
    public MaskedExample Mask(IReadOnlyList<long> ids, Random rng)
    {
        var input = ids.ToArray();
        var labels = Enumerable.Repeat(Ignore, input.Length).ToArray();
        foreach (int i in Choose(input, rng))
        {
            labels[i] = input[i];
            double r = rng.NextDouble();
            if (r < options.MaskReplace) input[i] = maskId;
            else if (r < options.MaskReplace + options.RandomReplace) input[i] = rng.Next(vocabSize);
        }
        return new MaskedExample(input, labels);
    }

    IEnumerable<int> Choose(long[] ids, Random rng)
    {
        if (!options.WholeWordMask)
        {
            var chosen = new List<int>();
            for (int i = 0; i < ids.Length; i++)
                if (!isSpecial(ids[i]) && rng.NextDouble() < options.MlmProbability) chosen.Add(i);
            return chosen;
        }
        // whole words: a word is a non-special token and the continuation pieces after it
        var words = new List<List<int>>();
        for (int i = 0; i < ids.Length; i++)
        {
            if (isSpecial(ids[i])) continue;
            if (words.Count > 0 && isContinuation?.Invoke(ids[i]) == true && words[^1][^1] == i - 1) words[^1].Add(i);
            else words.Add([i]);
        }
        int tokens = words.Sum(w => w.Count);
        int target = Math.Max(1, (int)Math.Round(tokens * options.MlmProbability));
        var picked = new List<int>();
        foreach (var word in words.OrderBy(_ => rng.Next()))
        {
            if (picked.Count >= target) break;
            if (picked.Count + word.Count > target) continue;
            picked.AddRange(word);
        }
        return picked;
    }
}

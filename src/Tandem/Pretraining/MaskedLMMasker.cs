using Tandem.Tokenization;

namespace Tandem.Pretraining;

/// <summary>One masked example: the ids the model reads and the labels it predicts (-100 where nothing is asked).</summary>
/// <param name="InputIds">Input ids with the chosen tokens replaced.</param>
/// <param name="Labels">The original id at chosen positions, -100 elsewhere.</param>
public sealed record MaskedExample(long[] InputIds, long[] Labels);

/// <summary>
/// Chooses and replaces the tokens a masked language model learns to predict, as BERT's and RoBERTa's recipe and
/// transformers' data collators do: each non-special token is chosen with probability
/// <see cref="MaskingOptions.MlmProbability"/> (or whole words until that share of the tokens is chosen); a chosen
/// token becomes the mask token (80 %), a random real token (10 %: any vocabulary entry but a special token) or stays
/// (10 %). Special tokens are never chosen. The choice is drawn from a generator seeded by the caller, so every epoch
/// masks afresh and a resumed run masks exactly as the uninterrupted one.
/// </summary>
/// <param name="options">The recipe.</param>
/// <param name="maskId">The mask token's id (<c>[MASK]</c>, <c>&lt;mask&gt;</c>).</param>
/// <param name="vocabSize">Random replacements are drawn from the ids in <c>[0, vocabSize)</c> that are not special.</param>
/// <param name="isSpecial">Whether an id is a special token (<c>[CLS]</c>, <c>&lt;s&gt;</c>, <c>&lt;pad&gt;</c>, ...).</param>
/// <param name="isContinuation">For whole-word masking: whether an id continues the previous token's word.</param>
public sealed class MaskedLMMasker(MaskingOptions options, int maskId, int vocabSize, Func<long, bool> isSpecial, Func<long, bool>? isContinuation = null)
{
    /// <summary>The label of positions the loss ignores.</summary>
    public const long Ignore = -100;

    readonly long[] _replacements = [.. Enumerable.Range(0, vocabSize).Select(i => (long)i).Where(i => !isSpecial(i))];

    /// <summary>The masker of a tokenizer's vocabulary: its mask token, its special tokens never chosen nor drawn,
    /// its real tokens as random replacements, and words that begin where <paramref name="startsWord"/> says (a
    /// family's <see cref="Models.MaskedLMSupport.StartsWord"/>).</summary>
    /// <exception cref="TandemException">The tokenizer has no mask token; <paramref name="source"/> names it.</exception>
    public static MaskedLMMasker For(ITokenizer tokenizer, MaskingOptions options, Func<string, bool> startsWord, string source)
    {
        int mask = tokenizer.MaskTokenId ?? throw new TandemException($"{source}: the tokenizer has no mask token (mask_token); a masked LM needs one");
        var tokens = tokenizer.ConvertIdsToTokens(Enumerable.Range(0, tokenizer.VocabSize).Select(i => (long)i));
        // special, or a gap in the ids (no vocabulary entry has it)
        var special = tokens.Select((t, id) => tokenizer.IsSpecial(id) || tokenizer.TokenToId(t) != id).ToArray();
        var continues = tokens.Select(t => !startsWord(t)).ToArray();
        return new MaskedLMMasker(options, mask, tokenizer.VocabSize, id => special[id], id => continues[id]);
    }

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
            else if (r < options.MaskReplace + options.RandomReplace) input[i] = _replacements[rng.Next(_replacements.Length)];
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

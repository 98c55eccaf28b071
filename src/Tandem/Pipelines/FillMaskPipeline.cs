using TorchSharp;
using Tandem.Modeling;
using Tandem.Models;
using Tandem.Native;
using Tandem.Pretrained;
using Tandem.Tokenization;
using static TorchSharp.torch;

namespace Tandem.Pipelines;

/// <summary>One guess for a masked position.</summary>
/// <param name="Token">The vocabulary token (as <c>convert_ids_to_tokens</c> spells it: <c>##s</c>, <c>Ġdog</c>).</param>
/// <param name="Id">Its id.</param>
/// <param name="Probability">The model's probability for it (softmax over the vocabulary).</param>
public sealed record FillMaskCandidate(string Token, int Id, double Probability);

/// <summary>
/// What a masked language model (a <c>BertForMaskedLM</c> or <c>RobertaForMaskedLM</c> folder, e.g. from
/// <c>tandem pretrain</c>) guesses for each mask token (<c>[MASK]</c>, <c>&lt;mask&gt;</c>) of a text, as transformers'
/// <c>fill-mask</c> pipeline shows it: the top-k tokens with their probabilities.
/// </summary>
public sealed class FillMaskPipeline : IDisposable
{
    readonly IMaskedLM _model;
    readonly ITokenizer _tokenizer;
    readonly int _maskId;
    readonly string _mask;

    FillMaskPipeline(IMaskedLM model, ITokenizer tokenizer, int maskId)
    {
        (_model, _tokenizer, _maskId) = (model, tokenizer, maskId);
        _mask = tokenizer.ConvertIdsToTokens([maskId])[0];
        _model.Module.eval();
    }

    /// <summary>Loads a masked-LM folder (or an embedded name) of any family with one; it must have the head
    /// (<c>cls.predictions</c>, <c>lm_head</c>) and a tokenizer with a mask token.</summary>
    public static FillMaskPipeline Load(string model, string? cacheDir = null)
    {
        var dir = EmbeddedModels.Resolve(model, cacheDir);
        var tokenizer = AutoTokenizer.FromPretrained(dir);
        int maskId = tokenizer.MaskTokenId ?? throw new TandemException($"{dir}: the tokenizer has no mask token (mask_token); fill-mask needs one");
        var lm = MaskedLanguageModels.FromPretrained(dir);
        try { VocabularyCheck.EnsureFits(tokenizer, lm.Config.VocabSize, dir); }
        catch { lm.Module.Dispose(); throw; }
        return new FillMaskPipeline(lm, tokenizer, maskId);
    }

    /// <summary>The mask token as the text writes it (<c>[MASK]</c>, <c>&lt;mask&gt;</c>).</summary>
    public string MaskToken => _mask;

    /// <summary>The <paramref name="topK"/> best tokens for each mask token of <paramref name="text"/>, in text order.</summary>
    /// <exception cref="TandemException">The text has no mask token, or is longer than the model reads.</exception>
    public IReadOnlyList<IReadOnlyList<FillMaskCandidate>> Fill(string text, int topK = 5)
    {
        if (topK < 1) throw new TandemException($"--top-k {topK}: must be at least 1");
        var ids = _tokenizer.EncodeToIds(text).Select(i => (long)i).ToArray();
        if (!ids.Contains(_maskId)) throw new TandemException($"no {_mask} in \"{text}\": write {_mask} where a token should be guessed");
        if (ids.Length > _model.Config.MaxPositions)
            throw new TandemException($"the text is {ids.Length} tokens long; the model reads at most {_model.Config.MaxPositions}");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = tensor(ids, [1, ids.Length], ScalarType.Int64);                              // [1, len]
        var selected = input.Eq(_maskId);                                                        // [1, len]
        var probs = _model.MaskedLogits(input, selected).to(ScalarType.Float32).softmax(-1);     // [masks, vocab]
        var (values, indices) = probs.topk(Math.Min(topK, (int)probs.size(1)), dim: -1);        // [masks, k] each
        var p = values.data<float>().ToArray();
        var top = indices.data<long>().ToArray();
        var tokens = _tokenizer.ConvertIdsToTokens(top);
        int k = (int)values.size(1);
        return Enumerable.Range(0, (int)values.size(0))
            .Select(m => (IReadOnlyList<FillMaskCandidate>)Enumerable.Range(0, k)
                .Select(j => new FillMaskCandidate(tokens[m * k + j], (int)top[m * k + j], p[m * k + j])).ToList())
            .ToList();
    }

    /// <summary>Frees the model.</summary>
    public void Dispose() => _model.Module.Dispose();
}

using TorchSharp;
using Tandem.Models.Bert;
using Tandem.Pretrained;
using Tandem.Tokenization;
using static TorchSharp.torch;

namespace Tandem.Pipelines;

/// <summary>One guess for a masked position.</summary>
/// <param name="Token">The token.</param>
/// <param name="Id">Its id.</param>
/// <param name="Probability">The model's probability for it (softmax over the vocabulary).</param>
public sealed record FillMaskCandidate(string Token, int Id, double Probability);

/// <summary>
/// What a masked language model (a <c>BertForMaskedLM</c> folder, e.g. from <c>tandem pretrain</c>) guesses for each
/// [MASK] of a text, as transformers' <c>fill-mask</c> pipeline shows it: the top-k tokens with their probabilities.
/// </summary>
public sealed class FillMaskPipeline : IDisposable
{
    readonly BertLMHeadModel _model;
    readonly WordPieceTokenizer _tokenizer;

    FillMaskPipeline(BertLMHeadModel model, WordPieceTokenizer tokenizer)
    {
        _model = model;
        _tokenizer = tokenizer;
        _model.eval();
    }

    /// <summary>Loads a masked-LM folder (or an embedded name); it must have the prediction head <c>cls.predictions</c>.</summary>
    public static FillMaskPipeline Load(string model, string? cacheDir = null)
    {
        var dir = EmbeddedModels.Resolve(model, cacheDir);
        var tokenizer = WordPieceTokenizer.FromPretrained(dir);
        var lm = BertLMHeadModel.FromPretrained(dir);
        try { VocabularyCheck.EnsureFits(tokenizer, lm.Config.VocabSize, dir); }
        catch { lm.Dispose(); throw; }
        return new FillMaskPipeline(lm, tokenizer);
    }

    /// <summary>The <paramref name="topK"/> best tokens for each [MASK] of <paramref name="text"/>, in text order.</summary>
    /// <exception cref="TandemException">The text has no [MASK], or is longer than the model reads.</exception>
    public IReadOnlyList<IReadOnlyList<FillMaskCandidate>> Fill(string text, int topK = 5)
    {
        if (topK < 1) throw new TandemException($"--top-k {topK}: must be at least 1");
        var ids = _tokenizer.EncodeToIds(text).Select(i => (long)i).ToArray();
        if (!ids.Contains(_tokenizer.MaskTokenId)) throw new TandemException($"no {_tokenizer.MaskToken} in \"{text}\": write {_tokenizer.MaskToken} where a token should be guessed");
        if (ids.Length > _model.Config.MaxPositionEmbeddings)
            throw new TandemException($"the text is {ids.Length} tokens long; the model reads at most {_model.Config.MaxPositionEmbeddings}");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = tensor(ids, [1, ids.Length], ScalarType.Int64);                              // [1, len]
        var selected = input.eq(_tokenizer.MaskTokenId);                                         // [1, len]
        var probs = _model.MaskedLogits(new BertInput { InputIds = input }, selected)             // [masks, vocab]
            .to(ScalarType.Float32).softmax(-1);
        var (values, indices) = probs.topk(Math.Min(topK, (int)probs.shape[1]), dim: -1);        // [masks, k] each
        var p = values.data<float>().ToArray();
        var top = indices.data<long>().ToArray();
        int k = (int)values.shape[1];
        return Enumerable.Range(0, (int)values.shape[0])
            .Select(m => (IReadOnlyList<FillMaskCandidate>)Enumerable.Range(0, k)
                .Select(j => new FillMaskCandidate(_tokenizer.IdToToken((int)top[m * k + j]), (int)top[m * k + j], p[m * k + j])).ToList())
            .ToList();
    }

    /// <summary>Frees the model.</summary>
    public void Dispose() => _model.Dispose();
}

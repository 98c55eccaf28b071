using Tandem.Embeddings;
using Tandem.Modeling;
using Tandem.Models.Bert;
using Tandem.Pretrained;
using Tandem.Tokenization;

namespace Tandem.Pipelines;

/// <summary>Sentence embeddings from a BERT checkpoint folder (or <c>minilm</c>): mean pooling over tokens, then
/// L2 normalisation, the sentence-transformers recipe for all-MiniLM-L6-v2.</summary>
public sealed class TextEmbedder : IDisposable
{
    readonly BertModel _model;
    readonly ITokenizer _tokenizer;

    TextEmbedder(BertModel model, ITokenizer tokenizer)
    {
        _model = model;
        _tokenizer = tokenizer;
        _model.eval();
    }

    /// <summary>Loads a BERT folder or an embedded model name such as <c>minilm</c>.</summary>
    public static TextEmbedder Load(string model, string? cacheDir = null)
    {
        var dir = EmbeddedModels.Resolve(model, cacheDir);
        var tokenizer = AutoTokenizer.FromPretrained(dir);
        var bert = BertModel.FromPretrained(dir);
        try { VocabularyCheck.EnsureFits(tokenizer, bert.Config.VocabSize, dir); }
        catch { bert.Dispose(); throw; }
        return new TextEmbedder(bert, tokenizer);
    }

    /// <summary>Embeds <paramref name="texts"/> in batches of <paramref name="batchSize"/>; texts longer than the
    /// model's positions are truncated with a warning through <paramref name="warn"/>. Under a bf16
    /// <see cref="Autocast"/> scope the weights are converted once for the whole run.</summary>
    public IEnumerable<float[]> Embed(IReadOnlyList<string> texts, int batchSize = 32, Action<string>? warn = null)
    {
        using var held = InferenceWeights.Hold(_model, Autocast.Dtype);
        for (int start = 0; start < texts.Count; start += batchSize)
        {
            var chunk = texts.Skip(start).Take(batchSize).ToList();
            var encoding = TextInputs.Encode(_tokenizer, chunk, _model.Config.MaxPositionEmbeddings, warn, start);
            var (ids, mask, types) = encoding.ToTensors();
            float[][] vectors;
            using (ids) using (mask) using (types) vectors = SentenceEmbedder.Embed(_model, ids, mask);
            foreach (var v in vectors) yield return v;
        }
    }

    /// <summary>Frees the model.</summary>
    public void Dispose() => _model.Dispose();
}

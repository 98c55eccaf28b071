using Tandem.Checkpoints.Onnx;
using Tandem.Embeddings;
using Tandem.Models;
using Tandem.Modeling;
using Tandem.Models.Bert;
using Tandem.Pretrained;
using Tandem.Tokenization;

namespace Tandem.Pipelines;

/// <summary>Sentence embeddings from a BERT checkpoint folder (or <c>minilm</c>): mean pooling over tokens, then
/// L2 normalisation, the sentence-transformers recipe for all-MiniLM-L6-v2.</summary>
public sealed class TextEmbedder : IDisposable
{
    readonly BertModel? _model;
    readonly OnnxEncoder? _onnx;
    readonly ITokenizer _tokenizer;
    readonly int _maxPositions;

    TextEmbedder(BertModel? model, OnnxEncoder? onnx, ITokenizer tokenizer, int maxPositions)
    {
        _model = model;
        _onnx = onnx;
        _tokenizer = tokenizer;
        _maxPositions = maxPositions;
        _model?.eval();
    }

    /// <summary>What runs the encoder.</summary>
    public EncoderRuntime Runtime => _onnx is null ? EncoderRuntime.LibTorch : EncoderRuntime.Onnx;

    /// <summary>Loads a BERT or RoBERTa folder or an embedded model name such as <c>minilm</c>. With
    /// <see cref="EncoderRuntime.Onnx"/> the encoder's ONNX export is taken from the cache (<see cref="OnnxExport.Cached"/>,
    /// exported on first use) and libtorch is not needed.</summary>
    public static TextEmbedder Load(string model, string? cacheDir = null, EncoderRuntime runtime = EncoderRuntime.LibTorch)
    {
        var dir = EmbeddedModels.Resolve(model, cacheDir);
        var tokenizer = AutoTokenizer.FromPretrained(dir);
        var config = ModelFamilies.LoadConfig(dir);
        VocabularyCheck.EnsureFits(tokenizer, config.VocabSize, dir);
        if (runtime == EncoderRuntime.Onnx)
            return new TextEmbedder(null, OnnxEncoder.FromFile(OnnxExport.Cached(dir, cacheDir)), tokenizer, config.MaxPositions);
        var encoder = ModelFamilies.LoadEncoder(dir, exact: true);                              // BERT or RoBERTa, as the export takes
        if (encoder is BertModel bert) return new TextEmbedder(bert, null, tokenizer, config.MaxPositions);
        encoder.Module.Dispose();
        throw new TandemException($"{dir}: sentence embeddings take a BERT or RoBERTa encoder, not {config.ModelType}");
    }

    /// <summary>Embeds <paramref name="texts"/> in batches of <paramref name="batchSize"/>; texts longer than the
    /// model's positions are truncated with a warning through <paramref name="warn"/>. With libtorch under a bf16
    /// <see cref="Autocast"/> scope the weights are converted once for the whole run; ONNX Runtime computes in
    /// float32 whatever the scope.</summary>
    public IEnumerable<float[]> Embed(IReadOnlyList<string> texts, int batchSize = 32, Action<string>? warn = null)
    {
        using var held = _model is null ? null : InferenceWeights.Hold(_model, Autocast.Dtype);
        for (int start = 0; start < texts.Count; start += batchSize)
        {
            var chunk = texts.Skip(start).Take(batchSize).ToList();
            var encoding = TextInputs.Encode(_tokenizer, chunk, _maxPositions, warn, start);
            foreach (var v in _onnx is null ? ViaLibTorch(encoding) : ViaOnnx(_onnx, encoding)) yield return v;
        }
    }

    float[][] ViaLibTorch(BatchEncoding encoding)
    {
        var (ids, mask, types) = encoding.ToTensors();
        using (ids) using (mask) using (types) return SentenceEmbedder.Embed(_model!, ids, mask);
    }

    static float[][] ViaOnnx(OnnxEncoder onnx, BatchEncoding encoding)
    {
        var (ids, mask, _, len) = encoding.Flat();
        return SentenceEmbedder.Embed(onnx, ids, mask, encoding.Count, len);
    }

    /// <summary>Frees the model or the session.</summary>
    public void Dispose()
    {
        _model?.Dispose();
        _onnx?.Dispose();
    }
}

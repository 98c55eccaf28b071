using Tandem.Checkpoints.Onnx;
using Tandem.Embeddings;
using Tandem.Models.Bert;
using Tandem.Pipelines;
using Tandem.Tests.TestSupport;
using static TorchSharp.torch;

namespace Tandem.Tests.Embeddings;

/// <summary>Embeddings through ONNX Runtime (the export cached for <c>tandem embed</c>) against libtorch's.</summary>
public class OnnxEncoderTests
{
    [Fact]
    public void MiniLmEmbeddingsEqualLibTorchs()
    {
        string[] texts = [.. MiniLm.Sentences, MiniLm.LongText, "Hi!"];
        using var onnx = TextEmbedder.Load("minilm", MiniLm.Cache, EncoderRuntime.Onnx);
        using var torch = TextEmbedder.Load("minilm", MiniLm.Cache, EncoderRuntime.LibTorch);
        Assert.Equal(EncoderRuntime.Onnx, onnx.Runtime);
        var a = onnx.Embed(texts, batchSize: 4).ToArray();
        var b = torch.Embed(texts, batchSize: 4).ToArray();
        Assert.Equal(texts.Length, a.Length);
        double worst = a.Zip(b).Max(p => p.First.Zip(p.Second).Max(x => Math.Abs(x.First - x.Second)));
        Assert.True(worst < 1e-5, $"largest difference {worst}");
    }

    /// <summary>A RoBERTa folder (the reference tiny RoBERTa's architecture with roberta-small's byte-level BPE)
    /// embeds through both runtimes alike, texts longer than its positions (the padding offset taken off) truncated.</summary>
    [Fact]
    public void RobertaEmbeddingsAgreeOnBothRuntimes()
    {
        using var dir = Paths.TempDir();
        var config = Tandem.Models.Roberta.RobertaConfig.Load(Paths.Shared("reference", "tiny-roberta2roberta", "encoder"));
        var tokenizerDir = Paths.Shared("reference", "tokenizers", "roberta-small");
        config.VocabSize = Tandem.Tokenization.AutoTokenizer.FromPretrained(tokenizerDir).VocabSize;
        manual_seed(6);
        var folder = Path.Combine(dir.Path, "roberta");
        using (var model = new Tandem.Models.Roberta.RobertaModel(config)) model.SavePretrained(folder);
        foreach (var f in Directory.GetFiles(tokenizerDir)) File.Copy(f, Path.Combine(folder, Path.GetFileName(f)));
        var cache = Path.Combine(dir.Path, "cache");                                             // the export's, not the user's
        string[] texts = ["hello world", string.Join(' ', Enumerable.Repeat("hello world", 40))];
        var warnings = new List<string>();
        using var onnx = TextEmbedder.Load(folder, cache, EncoderRuntime.Onnx);
        using var torch = TextEmbedder.Load(folder, cache, EncoderRuntime.LibTorch);
        var a = onnx.Embed(texts, warn: warnings.Add).ToArray();
        var b = torch.Embed(texts, warn: warnings.Add).ToArray();
        double worst = a.Zip(b).Max(p => p.First.Zip(p.Second).Max(x => Math.Abs(x.First - x.Second)));
        Assert.True(worst < 1e-5, $"largest difference {worst}");
        Assert.Equal(2, warnings.Count(w => w.Contains($"truncated to {config.MaxPositions}")));
    }

    [Fact]
    public void PoolingAveragesTheKeptTokensToAUnitVector()
    {
        manual_seed(5);
        using var hidden = randn(3, 4, 6);                                                       // [batch, len, width]
        long[] mask = [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0];                                      // row 2: no token at all
        var pooled = SentenceEmbedder.Pool(hidden.data<float>().ToArray(), mask, 3, 4, 6);
        using var m = tensor(mask, [3, 4, 1]).to(ScalarType.Float32);
        using var mean = (hidden * m).sum(1) / m.sum(1).clamp_min(1e-9);                         // [batch, width]
        using var unit = nn.functional.normalize(mean, p: 2, dim: 1, eps: 1e-12);
        for (int r = 0; r < 3; r++)
            for (int i = 0; i < 6; i++)
                Assert.Equal(unit[r, i].item<float>(), pooled[r][i], 5);
        Assert.All(pooled[2], x => Assert.Equal(0f, x));
        Assert.Throws<TandemException>(() => SentenceEmbedder.Pool(new float[10], mask, 3, 4, 6));
    }

    [Fact]
    public void TheCachedExportIsReusedUntilTheFolderChanges()
    {
        using var tmp = Paths.TempDir();
        var dir = tmp["bert"];
        manual_seed(6);
        using (var model = new BertModel(new BertConfig { VocabSize = 50, HiddenSize = 16, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 24, MaxPositionEmbeddings = 20 }))
            model.SavePretrained(dir);
        var first = OnnxExport.Cached(dir, tmp["cache"]);
        var written = File.GetLastWriteTimeUtc(first);
        Assert.Equal(first, OnnxExport.Cached(dir, tmp["cache"]));
        Assert.Equal(written, File.GetLastWriteTimeUtc(first));                                  // not exported again
        File.SetLastWriteTimeUtc(Path.Combine(dir, "model.safetensors"), DateTime.UtcNow.AddMinutes(1));
        var second = OnnxExport.Cached(dir, tmp["cache"]);
        Assert.NotEqual(first, second);                                                          // new weights, new export
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(first)!, "*.tmp"));
        File.WriteAllText(tmp["not-a-folder"], "");                                             // a cache that cannot hold onnx/
        var e = Assert.Throws<TandemException>(() => OnnxExport.Cached(dir, tmp["not-a-folder"]));
        Assert.Contains("cannot keep the ONNX export", e.Message);
        using var encoder = OnnxEncoder.FromFile(second);
        var (hidden, width) = encoder.Encode([5, 6, 7], [1, 1, 1], null, 1, 3);
        Assert.Equal(16, width);
        Assert.Equal(48, hidden.Length);
        var tooLong = Enumerable.Repeat(5L, 25).ToArray();                                      // 25 tokens, 20 positions
        var error = Assert.Throws<TandemException>(() => encoder.Encode(tooLong, Enumerable.Repeat(1L, 25).ToArray(), null, 1, 25));
        Assert.Contains("could not encode 1 x 25 tokens", error.Message);
    }

    [Fact]
    public void RefusesAGraphThatIsNotAnEncoder()
    {
        using var tmp = Paths.TempDir();
        var g = new OnnxGraphBuilder("not-an-encoder");
        g.Input("x", OnnxGraphBuilder.Float, "n");
        g.Node("Identity", ["x"], "y");
        g.Output("y", OnnxGraphBuilder.Float, "n");
        File.WriteAllBytes(tmp["g.onnx"], g.ToModel(17, "test"));
        var e = Assert.Throws<TandemException>(() => OnnxEncoder.FromFile(tmp["g.onnx"]));
        Assert.Contains("input_ids and attention_mask", e.Message);
        File.WriteAllText(tmp["bad.onnx"], "not a model");
        Assert.Contains("ONNX Runtime cannot load it", Assert.Throws<TandemException>(() => OnnxEncoder.FromFile(tmp["bad.onnx"])).Message);
        Assert.Contains("not found", Assert.Throws<TandemException>(() => OnnxEncoder.FromFile(tmp["none.onnx"])).Message);
    }

    [Theory]
    [InlineData("auto", null, EncoderRuntime.Onnx)]
    [InlineData("auto", ScalarType.BFloat16, EncoderRuntime.LibTorch)]
    [InlineData("onnx", ScalarType.BFloat16, EncoderRuntime.Onnx)]
    [InlineData("libtorch", null, EncoderRuntime.LibTorch)]
    public void AutoPicksOnnxRuntimeForFloat32(string name, ScalarType? products, EncoderRuntime expected) =>
        Assert.Equal(expected, EncoderRuntimes.Choose(name, products));
}

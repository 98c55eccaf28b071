using Tandem.Checkpoints.Onnx;
using Tandem.Embeddings;
using Tandem.Models.Bert;
using Tandem.Models.Roberta;
using Tandem.Tests.TestSupport;
using static TorchSharp.torch;

namespace Tandem.Tests.Models;

/// <summary>The ONNX export of BERT and RoBERTa encoders, run by ONNX Runtime against libtorch's float32 pass.</summary>
[Collection(SequentialCollection.Name)]
public class BertOnnxTests
{
    static BertConfig Tiny(string act = "gelu", int typeVocab = 2) => new()
    {
        VocabSize = 97, HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 48,
        MaxPositionEmbeddings = 40, TypeVocabSize = typeVocab, HiddenAct = act, LayerNormEps = 1e-12,
    };

    /// <summary>Ids <c>[3, 11]</c>: a full row, a right-padded row and a left-padded one, padding with <paramref name="pad"/>.</summary>
    static (Tensor Ids, Tensor Mask) Batch(long pad)
    {
        manual_seed(7);
        var ids = randint(3, 97, [3, 11], dtype: ScalarType.Int64);
        var mask = ones_like(ids);
        mask[1, TensorIndex.Slice(6)] = 0;
        mask[2, TensorIndex.Slice(null, 4)] = 0;
        ids.masked_fill_(mask.eq(0), pad);
        return (ids, mask);
    }

    /// <summary>The largest difference over the tokens the mask keeps (padding positions are not compared).</summary>
    static double MaxDifference(BertModel model, Tensor ids, Tensor mask, Tensor? types = null)
    {
        model.eval();
        using var noGrad = no_grad();
        using var output = model.forward(ids, mask, types);
        using var onnx = OnnxEncoder.FromModel(model);
        using var hidden = onnx.Encode(ids, mask, types);
        Assert.Equal(output.LastHiddenState.shape, hidden.shape);
        return ((output.LastHiddenState - hidden).abs() * mask.unsqueeze(-1)).max().item<float>();
    }

    [Theory]
    [InlineData("gelu")]
    [InlineData("gelu_new")]
    [InlineData("relu")]
    public void BertMatchesLibTorchWithPadding(string act)
    {
        manual_seed(1);
        using var model = new BertModel(Tiny(act));
        var (ids, mask) = Batch(0);
        using var types = zeros_like(ids);
        types[0, TensorIndex.Slice(5)] = 1;                                                      // a sentence pair in row 0
        double diff = MaxDifference(model, ids, mask, types);
        Assert.True(diff < 2e-5, $"{act}: max difference {diff}");
    }

    [Fact]
    public void BertWithoutTokenTypesHasNoTokenTypeInput()
    {
        manual_seed(2);
        using var model = new BertModel(Tiny(typeVocab: 0));
        var graph = OnnxModelReader.Read(BertOnnx.ToBytes(model), "export");
        Assert.Equal(["input_ids", "attention_mask"], graph.Inputs);
        var (ids, mask) = Batch(0);
        Assert.True(MaxDifference(model, ids, mask) < 2e-5);
    }

    [Fact]
    public void RobertaPositionsCountRealTokensFromThePaddingId()
    {
        manual_seed(3);
        var config = new RobertaConfig
        {
            VocabSize = 97, HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 48,
            MaxPositionEmbeddings = 40, TypeVocabSize = 1, PadTokenId = 1,
        };
        using var model = new RobertaModel(config);
        var (ids, mask) = Batch(1);
        double diff = MaxDifference(model, ids, mask);
        Assert.True(diff < 2e-5, $"max difference {diff}");
    }

    [Fact]
    public void TheGraphIsReadableOnnxWithFusedOperators()
    {
        manual_seed(4);
        using var model = new BertModel(Tiny());
        var graph = OnnxModelReader.Read(BertOnnx.ToBytes(model), "export");
        Assert.Equal(["input_ids", "attention_mask", "token_type_ids"], graph.Inputs);
        Assert.Equal(["last_hidden_state"], graph.Outputs);
        Assert.Equal("Tandem", graph.Producer);
        var ops = graph.Nodes.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(2, ops["Attention"]);
        Assert.Equal(4, ops["SkipLayerNormalization"]);
        Assert.Equal(2, ops["BiasGelu"]);
        Assert.Equal(1e-12f, graph.Nodes.First(n => n.OpType == "LayerNormalization").FloatAttributes["epsilon"]);
        var qkv = graph.Initializers.Single(t => t.Name == "encoder.layer.1.attention.self.qkv.weight");
        Assert.Equal([32L, 96L], qkv.Dims);
        // column block 1 of the fused matrix is the key projection, transposed: [in, out]
        var values = qkv.AsFloat32();
        var key = model.state_dict()["encoder.layer.1.attention.self.key.weight"];                 // [out, in]
        Assert.Equal(key[5, 3].item<float>(), values[3 * 96 + 32 + 5]);
    }

    /// <summary>The exported encoder folders of the reference models, run by ONNX Runtime, give transformers'
    /// last hidden states (RoBERTa's rows are left-padded).</summary>
    [Theory]
    [InlineData(Reference.Plain)]
    [InlineData(Reference.Eos)]
    [InlineData(Reference.Roberta2Roberta)]
    [InlineData(Reference.RobertaShare)]
    [InlineData("tiny-bert2gpt2")]
    public void ExportedReferenceEncodersMatchTransformers(string name)
    {
        var r = Reference.Load(name);
        using var tmp = Paths.TempDir();
        var config = OnnxExport.Write(Path.Combine(r.Dir, "encoder"), null, tmp["encoder.onnx"]);
        Assert.Equal(name.Contains("roberta") ? "roberta" : "bert", config.ModelType);
        using var encoder = OnnxEncoder.FromFile(tmp["encoder.onnx"]);
        using var ids = r.Tensor("inputs.input_ids", ScalarType.Int64);
        using var mask = r.Tensor("inputs.attention_mask", ScalarType.Int64);
        using var hidden = encoder.Encode(ids, mask);
        using var expected = r.Tensor("encoder_last_hidden_state");
        double diff = Reference.MaxAbsDiff(hidden, expected);
        Assert.True(diff <= 1e-5, $"{name}: max difference {diff}");
        Assert.Contains("already exists", Assert.Throws<TandemException>(() => OnnxExport.Write(Path.Combine(r.Dir, "encoder"), null, tmp["encoder.onnx"])).Message);
    }

    [Fact]
    public void ADecoderOnlyFamilyHasNoExport()
    {
        using var tmp = Paths.TempDir();
        var e = Assert.Throws<TandemException>(() => OnnxExport.Write(Path.Combine(Reference.Load("tiny-bert2gpt2").Dir, "decoder"), null, tmp["d.onnx"]));
        Assert.Contains("GPT-2", e.Message);
        Assert.False(File.Exists(tmp["d.onnx"]));
    }

    [Fact]
    public void RefusesWhatItDoesNotCover()
    {
        var decoder = Tiny();
        decoder.IsDecoder = true;
        decoder.AddCrossAttention = true;
        using (var model = new BertModel(decoder, encoderHiddenSize: 32))
            Assert.Contains("decoder", Assert.Throws<TandemException>(() => BertOnnx.ToBytes(model)).Message);
        using (var model = new BertModel(Tiny("silu")))
            Assert.Contains("hidden_act \"silu\"", Assert.Throws<TandemException>(() => BertOnnx.ToBytes(model)).Message);
    }
}

using System.Text.Json.Nodes;
using Tandem.Checkpoints;
using Tandem.Modeling;
using Tandem.Models.Bert;
using Tandem.Models.PrefixLM;
using Tandem.Tests.TestSupport;
using static TorchSharp.torch;
using static Tandem.Tests.Models.PrefixLM.TinyPrefixLM;

namespace Tandem.Tests.Models.PrefixLM;

/// <summary>Prefix-LM folders: save/load round trip, the BertLMHeadModel layout on disk, dispatch, warm start.</summary>
public class PrefixLMPretrainedTests
{
    static readonly long[][] Sources = [Source([5, 9, 13]), Source([7, 30, 11, 4, 17])];
    static readonly long[][] Targets = [[8, 3, Sep], [12, Sep]];

    static Seq2SeqOutput Run(ISeq2SeqModel model)
    {
        var (ids, mask) = Pack(Sources);
        var (labels, _) = Pack(Targets, Seq2SeqLabels.IgnoreIndex);
        using var noGrad = no_grad();
        return model.Forward(new Seq2SeqInput { InputIds = ids, AttentionMask = mask, Labels = labels });
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SaveAndLoadGiveIdenticalOutputs(bool safetensors)
    {
        using var dir = Paths.TempDir();
        using var model = Create(seed: 21);
        model.eval();
        model.GenerationConfig.NumBeams = 2;
        model.SavePretrained(dir.Path, safetensors);

        var config = JsonNode.Parse(File.ReadAllText(dir["config.json"]))!;
        Assert.Equal("bert", config["model_type"]!.GetValue<string>());
        Assert.Equal("BertLMHeadModel", config["architectures"]![0]!.GetValue<string>());
        Assert.False(config["is_decoder"]!.GetValue<bool>());
        Assert.True(config["tandem"]!["prefix_lm"]!.GetValue<bool>());
        Assert.Equal(Sep, config["tandem"]!["decoder_start_token_id"]!.GetValue<int>());
        Assert.Equal(Sep, config["tandem"]!["eos_token_id"]!.GetValue<int>());
        Assert.Equal(Pad, config["tandem"]!["pad_token_id"]!.GetValue<int>());

        using var loaded = Seq2SeqModels.FromPretrained(dir.Path);
        Assert.IsType<PrefixLMModel>(loaded);
        loaded.Module.eval();
        Assert.Equal(model.SpecialIds, loaded.SpecialIds);
        Assert.Equal(2, loaded.GenerationConfig.NumBeams);
        using var scope = NewDisposeScope();
        using var a = Run(model);
        using var b = Run(loaded);
        Assert.True(a.Logits.shape.SequenceEqual(b.Logits.shape) && a.Logits.eq(b.Logits).all().item<bool>());
        Assert.Equal(a.Loss!.item<float>(), b.Loss!.item<float>());
        var (ids, mask) = Pack(Sources);
        var ga = Tandem.Generation.Generator.Generate(model, ids, mask, Config(beams: 3), useCache: true);
        var gb = Tandem.Generation.Generator.Generate(loaded, ids, mask, Config(beams: 3), useCache: true);
        Assert.Equal(ga.Sequences, gb.Sequences);
    }

    [Fact]
    public void TheFolderHoldsABertLMHeadModelWithTheTiedMatrixStoredOnce()
    {
        using var dir = Paths.TempDir();
        using var model = Create(seed: 22);
        model.eval();
        model.SavePretrained(dir.Path);
        using var weights = StateDict.FromFolder(dir.Path);
        Assert.Contains("bert.embeddings.word_embeddings.weight", weights.Tensors.Keys);
        Assert.Contains("cls.predictions.bias", weights.Tensors.Keys);
        Assert.Contains("cls.predictions.transform.dense.weight", weights.Tensors.Keys);
        Assert.DoesNotContain("cls.predictions.decoder.weight", weights.Tensors.Keys);
        Assert.DoesNotContain(weights.Tensors.Keys, k => k.StartsWith("bert.pooler.", StringComparison.Ordinal));

        // Tandem's own BertLMHeadModel (transformers' layout) loads it strictly and, fed the prefix layout, computes
        // the same logits.
        using var lm = BertLMHeadModel.FromPretrained(dir.Path);
        lm.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (ids, mask) = Pack(Sources);
        var (labels, _) = Pack(Targets, Seq2SeqLabels.IgnoreIndex);
        using var output = model.Forward(new Seq2SeqInput { InputIds = ids, AttentionMask = mask, Labels = labels });
        var decoderInput = Seq2SeqLabels.ShiftTokensRight(labels, Pad, Sep);
        using var layout = PrefixLMInputs.Build(ids, mask, decoderInput[.., 1..], decoderInput[.., 1..].ne(Pad));
        var all = lm.forward(new BertInput
        {
            InputIds = layout.InputIds, TokenTypeIds = layout.TokenTypeIds, PositionIds = layout.PositionIds,
            AttentionMask = layout.AttentionMask,
        });                                                                                      // [batch, src + tgt - 1, vocab]
        long src = ids.shape[1];
        for (int row = 0; row < Sources.Length; row++)
        {
            Assert.True(Reference.MaxAbsDiff(all[row, Sources[row].Length - 1], output.Logits[row, 0]) <= 1e-5);
            for (int t = 1; t < Targets[row].Length; t++)
                Assert.True(Reference.MaxAbsDiff(all[row, src + t - 1], output.Logits[row, t]) <= 1e-5);
        }
    }

    [Fact]
    public void APlainBertFolderIsNotASeq2SeqModelAndWarmStartsWithANewHead()
    {
        var encoder = Path.Combine(Reference.Load(Reference.Eos).Dir, "encoder");
        var e = Assert.Throws<TandemException>(() => Seq2SeqModels.FromPretrained(encoder));
        Assert.Contains("prefix LM", e.Message);
        var (model, report) = PrefixLMModel.FromBert(encoder);
        using var _ = model;
        Assert.Equal(["cls.predictions.bias", "cls.predictions.decoder.bias", "cls.predictions.transform.LayerNorm.bias",
            "cls.predictions.transform.LayerNorm.weight", "cls.predictions.transform.dense.bias", "cls.predictions.transform.dense.weight"],
            report!.Missing);
        Assert.Contains(report.Ignored, k => k.StartsWith("pooler.", StringComparison.Ordinal));
        Assert.Empty(report.Unused);
        Assert.Equal(0, model.Config.PadTokenId);
        Assert.Null(model.Config.DecoderStartTokenId);                                       // no vocab.txt there
        var ex = Assert.Throws<TandemException>(() => model.Forward(new Seq2SeqInput
        {
            InputIds = tensor(new long[] { 1, 5, 2 }).unsqueeze(0),
            Labels = tensor(new long[] { 5, 2 }).unsqueeze(0),
        }));
        Assert.Contains("decoder_start_token_id", ex.Message);
    }
}

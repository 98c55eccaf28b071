using Tandem.Models.Gpt2;
using static TorchSharp.torch;

namespace Tandem.Tests.Models.Gpt2;

public class Gpt2ConfigTests
{
    [Fact]
    public void UnknownKeysAreKeptAndDefaultsMatchTransformers()
    {
        var config = Gpt2Config.Parse("""{"model_type": "gpt2", "n_ctx": 1024, "summary_type": "cls_index", "n_inner": null}""");
        Assert.Equal(3072, config.InnerSize);
        Assert.True(config.TieWordEmbeddings);
        var json = config.ToJson();
        Assert.Contains("\"n_ctx\": 1024", json);
        Assert.DoesNotContain("add_cross_attention", json);
        Assert.DoesNotContain("pad_token_id", json);
        config.AddCrossAttention = true;
        config.PadTokenId = 0;
        Assert.Contains("\"add_cross_attention\": true", config.ToJson());
        Assert.Contains("\"pad_token_id\": 0", config.ToJson());
    }

    [Theory]
    [InlineData("""{"model_type": "gpt2", "reorder_and_upcast_attn": true}""", "reorder_and_upcast_attn")]
    [InlineData("""{"model_type": "gpt2", "activation_function": "swiglu"}""", "activation_function")]
    [InlineData("""{"model_type": "gpt2", "n_embd": 30, "n_head": 4}""", "n_head")]
    [InlineData("""{"model_type": "bert"}""", "model_type")]
    [InlineData("""{"model_type": "gpt2", "vocab_size": 10, "eos_token_id": 10, "bos_token_id": 0}""", "eos_token_id")]
    public void BadValuesAreOneClearLine(string json, string key)
    {
        var e = Assert.Throws<TandemException>(() => Gpt2Config.Parse(json, "cfg.json"));
        Assert.Contains(key, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void InitialisationIsTransformers()
    {
        var config = Gpt2Config.Parse("""{"model_type": "gpt2", "vocab_size": 500, "n_positions": 64, "n_embd": 64, "n_layer": 8, "n_head": 4, "initializer_range": 0.2, "add_cross_attention": true, "bos_token_id": 0, "eos_token_id": 0}""");
        using var model = new Gpt2LMHeadModel(config);
        var p = model.state_dict();
        double Std(string key) => p[key].std().item<float>();
        double scaled = 0.2 / Math.Sqrt(2 * 8);
        foreach (var key in new[] { "transformer.wte.weight", "transformer.wpe.weight", "transformer.h.3.attn.c_attn.weight",
                     "transformer.h.3.crossattention.q_attn.weight", "transformer.h.3.crossattention.c_attn.weight", "transformer.h.3.mlp.c_fc.weight" })
            Assert.InRange(Std(key), 0.2 * 0.9, 0.2 * 1.1);
        foreach (var key in new[] { "transformer.h.3.attn.c_proj.weight", "transformer.h.3.crossattention.c_proj.weight", "transformer.h.3.mlp.c_proj.weight" })
            Assert.InRange(Std(key), scaled * 0.9, scaled * 1.1);
        Assert.Equal(0.0, p["transformer.h.3.crossattention.c_attn.bias"].abs().max().item<float>());
        Assert.Equal(1.0, p["transformer.h.3.ln_cross_attn.weight"].min().item<float>());
        Assert.Equal([64L, 128L], p["transformer.h.0.crossattention.c_attn.weight"].shape);
        Assert.Equal([64L, 256L], p["transformer.h.0.mlp.c_fc.weight"].shape);
        Assert.Same(p["transformer.wte.weight"], p["lm_head.weight"]);
    }
}

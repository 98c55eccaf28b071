using System.Runtime.InteropServices;
using Tandem.Checkpoints.Onnx;
using static TorchSharp.torch;

namespace Tandem.Models.Bert;

/// <summary>
/// Exports a BERT or RoBERTa encoder (<see cref="BertModel"/> without cross-attention) to ONNX, the graph ONNX
/// Runtime's transformer optimizer makes of a PyTorch export: per layer one fused <c>Attention</c> (queries, keys
/// and values from one <c>[hidden, 3 x hidden]</c> product, the padding mask as int32), <c>SkipLayerNormalization</c>
/// for each residual block and <c>BiasGelu</c> (<c>FastGelu</c> for the tanh approximation) in the feed-forward
/// block, all ONNX Runtime contrib operators (<c>com.microsoft</c>); the embeddings in standard ONNX (opset 17).
/// Inputs <c>input_ids</c>, <c>attention_mask</c> (int64, <c>[batch, sequence]</c>) and, when the model has token
/// types, <c>token_type_ids</c>: the signature of a Hugging Face BERT exported by PyTorch. Output
/// <c>last_hidden_state</c> <c>[batch, sequence, hidden]</c>, float32.
/// </summary>
/// <remarks>ONNX Runtime runs the graph with its own float32 kernels; on this project's 2-core AMD CPU that is
/// faster than libtorch's operation-at-a-time pass for a sentence or a few (1 x 32 tokens: see <c>tandem bench</c>'s
/// <c>encoder_b1x32_onnx_ms</c>), slower than libtorch's bf16 products for large batches.</remarks>
public static class BertOnnx
{
    /// <summary>Writes <paramref name="model"/>'s encoder as an ONNX file at <paramref name="path"/>.</summary>
    public static void Export(BertModel model, string path) => File.WriteAllBytes(path, ToBytes(model));

    /// <summary>The ONNX model of <paramref name="model"/>'s encoder, in memory (an ONNX Runtime session can load it
    /// without a file). The weights are read in float32 whatever precision the model is held in.</summary>
    public static byte[] ToBytes(BertModel model)
    {
        var c = model.Config;
        if (c.AddCrossAttention || c.IsDecoder)
            throw new TandemException("ONNX export covers encoders: this BERT is a decoder (is_decoder or add_cross_attention in its config)");
        if (c.PositionEmbeddingType != "absolute")
            throw new TandemException($"ONNX export covers absolute position embeddings, not position_embedding_type \"{c.PositionEmbeddingType}\"");
        string act = c.HiddenAct;
        if (act is not ("gelu" or "gelu_python" or "gelu_new" or "gelu_pytorch_tanh" or "gelu_fast" or "gelu_accurate" or "relu"))
            throw new TandemException($"ONNX export covers the gelu, tanh-approximated gelu and relu activations, not hidden_act \"{act}\"");

        var weights = model.state_dict();
        float[] Values(string key, bool transpose = false)
        {
            if (!weights.TryGetValue(key, out var t)) throw new TandemException($"ONNX export: the model has no {key}");
            using var scope = NewDisposeScope();
            var w = t.detach().to(ScalarType.Float32);
            return MemoryMarshal.Cast<byte, float>((transpose ? w.t() : w).contiguous().bytes).ToArray();
        }
        long hidden = c.HiddenSize, inter = c.IntermediateSize;
        float eps = (float)c.LayerNormEps;

        var g = new OnnxGraphBuilder("encoder");
        string ids = g.Input("input_ids", OnnxGraphBuilder.Int64, "batch", "sequence");
        string mask = g.Input("attention_mask", OnnxGraphBuilder.Int64, "batch", "sequence");
        string? types = c.TypeVocabSize > 0 ? g.Input("token_type_ids", OnnxGraphBuilder.Int64, "batch", "sequence") : null;

        // embeddings: words + positions (+ token types), LayerNorm
        string words = g.Node("Gather", [g.Initializer("embeddings.word_embeddings.weight", Values("embeddings.word_embeddings.weight"), c.VocabSize, hidden), ids], "word_embeds");
        string positionTable = g.Initializer("embeddings.position_embeddings.weight", Values("embeddings.position_embeddings.weight"), c.MaxPositionEmbeddings, hidden);
        string x = g.Node("Add", [words, Positions(g, c, ids, positionTable)], "word_position_embeds");
        if (types is not null)
            x = g.Node("Add", [x, g.Node("Gather", [g.Initializer("embeddings.token_type_embeddings.weight", Values("embeddings.token_type_embeddings.weight"), c.TypeVocabSize, hidden), types], "token_type_embeds")], "embeds_sum");
        x = g.Node("LayerNormalization", [x, g.Initializer("embeddings.LayerNorm.weight", Values("embeddings.LayerNorm.weight"), hidden),
            g.Initializer("embeddings.LayerNorm.bias", Values("embeddings.LayerNorm.bias"), hidden)], "embeddings", "", ("axis", -1L), ("epsilon", eps));
        string maskIndex = g.Node("Cast", [mask], "mask_index", "", ("to", (long)OnnxGraphBuilder.Int32));

        for (int l = 0; l < c.NumHiddenLayers; l++)
        {
            string p = $"encoder.layer.{l}.";
            float[] qkv = Interleave(hidden, Values(p + "attention.self.query.weight", true), Values(p + "attention.self.key.weight", true), Values(p + "attention.self.value.weight", true));
            float[] qkvBias = [.. Values(p + "attention.self.query.bias"), .. Values(p + "attention.self.key.bias"), .. Values(p + "attention.self.value.bias")];
            string context = g.Node("Attention", [x, g.Initializer(p + "attention.self.qkv.weight", qkv, hidden, 3 * hidden),
                g.Initializer(p + "attention.self.qkv.bias", qkvBias, 3 * hidden), maskIndex], p + "attention.context", OnnxGraphBuilder.Microsoft,
                ("num_heads", (long)c.NumAttentionHeads));
            x = Residual(g, p + "attention.output.", g.Node("MatMul", [context, g.Initializer(p + "attention.output.dense.weight", Values(p + "attention.output.dense.weight", true), hidden, hidden)], p + "attention.output.product"), x, Values, hidden, eps);
            string up = g.Node("MatMul", [x, g.Initializer(p + "intermediate.dense.weight", Values(p + "intermediate.dense.weight", true), hidden, inter)], p + "intermediate.product");
            string bias = g.Initializer(p + "intermediate.dense.bias", Values(p + "intermediate.dense.bias"), inter);
            string activated = act switch
            {
                "gelu" or "gelu_python" => g.Node("BiasGelu", [up, bias], p + "intermediate.gelu", OnnxGraphBuilder.Microsoft),
                "relu" => g.Node("Relu", [g.Node("Add", [up, bias], p + "intermediate.biased")], p + "intermediate.relu"),
                _ => g.Node("FastGelu", [up, bias], p + "intermediate.gelu", OnnxGraphBuilder.Microsoft),
            };
            x = Residual(g, p + "output.", g.Node("MatMul", [activated, g.Initializer(p + "output.dense.weight", Values(p + "output.dense.weight", true), inter, hidden)], p + "output.product"), x, Values, hidden, eps);
        }
        x = g.Node("Identity", [x], "last_hidden_state");
        g.Output(x, OnnxGraphBuilder.Float, "batch", "sequence", hidden);
        return g.ToModel(17, "Tandem");
    }

    /// <summary>The position embeddings <c>[sequence, hidden]</c> (BERT: positions 0 ..) or <c>[batch, sequence,
    /// hidden]</c> (RoBERTa: counted over the real tokens from the padding id + 1, as <see cref="Roberta.RobertaModel"/>).</summary>
    static string Positions(OnnxGraphBuilder g, BertConfig c, string ids, string table)
    {
        if (c.PositionPaddingIdx is not { } pad)
        {
            string length = g.Node("Shape", [ids], "sequence_length", "", ("start", 1L), ("end", 2L));           // [1]
            return g.Node("Slice", [table, g.Int64Initializer("slice_start", 0), length, g.Int64Initializer("slice_axis", 0)], "position_embeds");
        }
        string padId = g.Int64Initializer("padding_id", pad);
        string real = g.Node("Cast", [g.Node("Not", [g.Node("Equal", [ids, padId], "is_padding")], "is_token")], "token_flags", "", ("to", (long)OnnxGraphBuilder.Int64));
        string counts = g.Node("CumSum", [real, g.Int64Initializer("cumsum_axis", 1)], "token_counts");
        string positions = g.Node("Add", [g.Node("Mul", [counts, real], "token_positions"), padId], "position_ids");
        return g.Node("Gather", [table, positions], "position_embeds");
    }

    /// <summary><c>LayerNorm(product + bias + residual)</c> in one <c>SkipLayerNormalization</c>.</summary>
    static string Residual(OnnxGraphBuilder g, string prefix, string product, string residual, Func<string, bool, float[]> values, long hidden, float eps) =>
        g.Node("SkipLayerNormalization", [product, residual,
            g.Initializer(prefix + "LayerNorm.weight", values(prefix + "LayerNorm.weight", false), hidden),
            g.Initializer(prefix + "LayerNorm.bias", values(prefix + "LayerNorm.bias", false), hidden),
            g.Initializer(prefix + "dense.bias", values(prefix + "dense.bias", false), hidden)],
            prefix + "LayerNorm.output", OnnxGraphBuilder.Microsoft, ("epsilon", eps));

    /// <summary>Three <c>[hidden, hidden]</c> row-major matrices side by side: <c>[hidden, 3 x hidden]</c>.</summary>
    static float[] Interleave(long hidden, float[] q, float[] k, float[] v)
    {
        int h = checked((int)hidden);
        var all = new float[3 * h * h];
        for (int r = 0; r < h; r++)
        {
            q.AsSpan(r * h, h).CopyTo(all.AsSpan(3 * r * h));
            k.AsSpan(r * h, h).CopyTo(all.AsSpan(3 * r * h + h));
            v.AsSpan(r * h, h).CopyTo(all.AsSpan(3 * r * h + 2 * h));
        }
        return all;
    }
}

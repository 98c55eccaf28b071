using System.Globalization;
using System.Text.RegularExpressions;
using Tandem.Models.Bert;
using static TorchSharp.torch;

namespace Tandem.Checkpoints.Onnx;

/// <summary>
/// Recovers Hugging Face <c>BertModel</c> weights and config from a BERT graph exported to ONNX by PyTorch.
/// Named initializers keep their checkpoint key (a <c>bert.</c>/model prefix is dropped). The exporter renames the
/// Linear weights it feeds to <c>MatMul</c> (e.g. <c>927</c>) and stores them transposed (<c>[in, out]</c>): each is
/// named after the bias its product is added to (<c>X.bias</c> gives <c>X.weight</c>) and transposed back to
/// <c>[out, in]</c>. The config is read off the tensors' shapes and the graph (heads from the attention reshapes,
/// LayerNorm epsilon from the normalisation's constant, activation from <c>Erf</c> = exact GELU).
/// </summary>
internal static partial class OnnxBertWeights
{
    [GeneratedRegex(@"^(?:.*?\.)?((?:embeddings|encoder\.layer\.\d+|pooler)\..+)$")]
    private static partial Regex HfKeyPattern();

    [GeneratedRegex(@"^encoder\.layer\.(\d+)\.")]
    private static partial Regex LayerPattern();

    /// <summary>The BertModel key an initializer name stands for, or null when the name is not a checkpoint key.</summary>
    internal static string? HfKey(string name) => HfKeyPattern().Match(name) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>Extracts every weight under its BertModel key (caller owns the tensors) and infers the config.</summary>
    public static (BertConfig Config, Dictionary<string, Tensor> Weights) Extract(OnnxGraph graph, string source)
    {
        var inits = new Dictionary<string, OnnxTensor>();
        foreach (var t in graph.Initializers) inits[t.Name] = t;
        var consumers = new Dictionary<string, List<OnnxNode>>();
        foreach (var n in graph.Nodes)
            foreach (var i in n.Inputs)
                (consumers.TryGetValue(i, out var l) ? l : consumers[i] = []).Add(n);

        var weights = new Dictionary<string, Tensor>();
        var unnamed = new List<string>();
        try
        {
            foreach (var init in graph.Initializers)
            {
                var key = HfKey(init.Name);
                bool isMatrix = init.Dims.Count == 2 && init.DataType is 1 or 10 or 11 or 16;
                var uses = consumers.GetValueOrDefault(init.Name) ?? [];
                bool storedInOut = uses.Any(n => n.Inputs.IndexOf(init.Name) == 1
                    && (n.OpType == "MatMul" || n.OpType == "Gemm" && n.IntAttributes.GetValueOrDefault("transB") == 0));
                if (key is null && isMatrix && storedInOut)
                    key = NameFromBias(uses, consumers, inits);
                if (key is null)
                {
                    if (isMatrix) unnamed.Add($"{init.Name} {SafeTensors.FormatShape(init.Dims)}");
                    continue;
                }
                var tensor = ToTorch(init, source);
                if (storedInOut && isMatrix)
                {
                    var t = tensor.t().contiguous();   // [out, in], as nn.Linear stores it
                    tensor.Dispose();
                    tensor = t;
                }
                if (weights.ContainsKey(key))
                    throw new TandemException($"{source}: two initializers map to '{key}' (the second is '{init.Name}')");
                weights[key] = tensor;
            }
            if (unnamed.Count > 0)
                throw new TandemException($"{source}: cannot name {unnamed.Count} weight matrices (e.g. {string.Join(", ", unnamed.Take(4))}): " +
                                          "each must feed a MatMul whose output is added to a bias named '...bias'");
            return (InferConfig(graph, weights, inits, source), weights);
        }
        catch
        {
            foreach (var t in weights.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>Follows <c>MatMul(x, W)</c> to the <c>Add</c> of its bias: <c>W</c> is named after that bias.</summary>
    static string? NameFromBias(List<OnnxNode> uses, Dictionary<string, List<OnnxNode>> consumers, Dictionary<string, OnnxTensor> inits)
    {
        foreach (var n in uses)
        {
            if (n.OpType == "Gemm" && n.Inputs.Count > 2 && HfKey(n.Inputs[2]) is { } gemmBias && gemmBias.EndsWith(".bias", StringComparison.Ordinal))
                return gemmBias[..^5] + ".weight";
            if (n.OpType != "MatMul" || n.Outputs.Count == 0) continue;
            // The bias may be either input of the Add.
            foreach (var add in (consumers.GetValueOrDefault(n.Outputs[0]) ?? []).Where(c => c.OpType == "Add"))
                foreach (var input in add.Inputs)
                    if (inits.ContainsKey(input) && HfKey(input) is { } bias && bias.EndsWith(".bias", StringComparison.Ordinal))
                        return bias[..^5] + ".weight";
        }
        return null;
    }

    static BertConfig InferConfig(OnnxGraph graph, Dictionary<string, Tensor> w, Dictionary<string, OnnxTensor> inits, string source)
    {
        Tensor Need(string key) => w.TryGetValue(key, out var t) ? t
            : throw new TandemException($"{source}: no '{key}' in the graph (is this a BERT model?)");
        var words = Need("embeddings.word_embeddings.weight");
        int hidden = (int)words.size(1);
        int layers = w.Keys.Select(k => LayerPattern().Match(k)).Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).DefaultIfEmpty(-1).Max() + 1;
        if (layers == 0) throw new TandemException($"{source}: no encoder layers ('encoder.layer.N.*') in the graph");
        int heads = InferHeads(graph, inits, hidden);
        if (heads == 0)
        {
            if (hidden % 64 != 0)
                throw new TandemException($"{source}: cannot find the number of attention heads (no reshape to [.., heads, {hidden}/heads])");
            heads = hidden / 64;
        }
        var config = new BertConfig
        {
            Architectures = ["BertModel"],
            VocabSize = (int)words.size(0),
            HiddenSize = hidden,
            NumHiddenLayers = layers,
            NumAttentionHeads = heads,
            IntermediateSize = (int)Need("encoder.layer.0.intermediate.dense.bias").size(0),
            HiddenAct = InferActivation(graph, source),
            MaxPositionEmbeddings = (int)Need("embeddings.position_embeddings.weight").size(0),
            TypeVocabSize = w.TryGetValue("embeddings.token_type_embeddings.weight", out var tt) ? (int)tt.size(0) : 2,
            LayerNormEps = InferLayerNormEps(graph, inits) ?? 1e-12,
            TorchDtype = "float32",
        };
        config.Validate(source);
        return config;
    }

    /// <summary>The attention reshape <c>[batch, len, heads, headDim]</c> concatenates two constants whose product is
    /// the hidden size; the most frequent first factor is the head count (0 when none is found).</summary>
    static int InferHeads(OnnxGraph graph, Dictionary<string, OnnxTensor> inits, int hidden)
    {
        var constants = Constants(graph, inits);
        var votes = new Dictionary<long, int>();
        foreach (var n in graph.Nodes.Where(n => n.OpType == "Concat"))
        {
            var values = n.Inputs.Select(i => constants.GetValueOrDefault(i)?.AsInt64()).ToList();
            for (int i = 0; i + 1 < values.Count; i++)
                if (values[i] is [var h] && values[i + 1] is [var d] && h > 0 && d > 0 && h * d == hidden)
                    votes[h] = votes.GetValueOrDefault(h) + 1;
        }
        foreach (var n in graph.Nodes.Where(n => n.OpType == "Reshape" && n.Inputs.Count == 2))
            if (constants.GetValueOrDefault(n.Inputs[1])?.AsInt64() is { Length: 4 } s && s[2] > 0 && s[3] > 0 && s[2] * s[3] == hidden)
                votes[s[2]] = votes.GetValueOrDefault(s[2]) + 1;
        return votes.Count == 0 ? 0 : (int)votes.MaxBy(kv => kv.Value).Key;
    }

    static string InferActivation(OnnxGraph graph, string source)
    {
        var ops = graph.Nodes.Select(n => n.OpType).ToHashSet();
        if (ops.Contains("Erf") || ops.Contains("Gelu")) return "gelu";
        if (ops.Contains("Relu")) return "relu";
        throw new TandemException($"{source}: cannot identify the feed-forward activation (no Erf/Gelu/Relu node)");
    }

    /// <summary>Epsilon of a <c>LayerNormalization</c> node, or the constant added to the variance before <c>Sqrt</c>.</summary>
    static double? InferLayerNormEps(OnnxGraph graph, Dictionary<string, OnnxTensor> inits)
    {
        if (graph.Nodes.FirstOrDefault(n => n.OpType == "LayerNormalization") is { } ln)
            return ln.FloatAttributes.TryGetValue("epsilon", out var e) ? Shortest(e) : 1e-5;
        var constants = Constants(graph, inits);
        var producers = graph.Nodes.SelectMany(n => n.Outputs.Select(o => (o, n))).GroupBy(p => p.o).ToDictionary(g => g.Key, g => g.First().n);
        foreach (var sqrt in graph.Nodes.Where(n => n.OpType == "Sqrt"))
            if (producers.GetValueOrDefault(sqrt.Inputs[0]) is { OpType: "Add" } add)
                foreach (var i in add.Inputs)
                    if (constants.GetValueOrDefault(i)?.AsFloat32() is [var eps] && eps > 0) return Shortest(eps);
        return null;
    }

    /// <summary>The float32 value as the decimal it was written from (1e-12f becomes 1e-12, not 9.99999996e-13).</summary>
    static double Shortest(float f) => double.Parse(f.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    static Dictionary<string, OnnxTensor> Constants(OnnxGraph graph, Dictionary<string, OnnxTensor> inits)
    {
        var result = new Dictionary<string, OnnxTensor>(inits);
        foreach (var n in graph.Nodes.Where(n => n.OpType == "Constant" && n.Outputs.Count == 1))
            if (n.TensorAttributes.TryGetValue("value", out var t)) result[n.Outputs[0]] = t;
        return result;
    }

    /// <summary>Copies an ONNX tensor into a new CPU tensor of the same dtype.</summary>
    internal static Tensor ToTorch(OnnxTensor t, string source)
    {
        if (t.External)
            throw new TandemException($"{source}: tensor '{t.Name}' keeps its data in an external file, which is not supported");
        var (dtype, size) = t.DataType switch
        {
            1 => (ScalarType.Float32, 4), 10 => (ScalarType.Float16, 2), 11 => (ScalarType.Float64, 8),
            16 => (ScalarType.BFloat16, 2), 7 => (ScalarType.Int64, 8), 6 => (ScalarType.Int32, 4),
            _ => throw new TandemException($"{source}: tensor '{t.Name}' has unsupported ONNX data type {t.DataType}"),
        };
        long[] shape = [.. t.Dims];
        if (t.Raw.Length == 0 && t.DataType == 1 && t.FloatData.Count == t.ElementCount)
            return tensor(t.FloatData.ToArray(), shape);
        if (t.Raw.Length == 0 && t.DataType == 7 && t.Int64Data.Count == t.ElementCount)
            return tensor(t.Int64Data.ToArray(), shape);
        if (t.Raw.Length != t.ElementCount * size)
            throw new TandemException($"{source}: tensor '{t.Name}' {SafeTensors.FormatShape(shape)} holds {t.Raw.Length} bytes, expected {t.ElementCount * size}");
        var result = empty(shape, dtype);
        if (t.Raw.Length > 0) t.Raw.Span.CopyTo(result.bytes);
        return result;
    }
}

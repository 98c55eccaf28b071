using Microsoft.ML.OnnxRuntime;
using Tandem.Models.Bert;
using static TorchSharp.torch;

namespace Tandem.Embeddings;

/// <summary>
/// A BERT-family encoder run by ONNX Runtime: the graph <see cref="BertOnnx"/> exports (or an ONNX file with the same
/// inputs, such as a PyTorch export of a Hugging Face BERT), in an inference session with the CPU's float32
/// kernels. It gives the last hidden states as libtorch's float32 pass does (within float32 rounding), faster on
/// this project's CPU (see <see cref="EncoderRuntimes.Choose"/>); <c>tandem embed</c> serves through it by default.
/// The array form needs no libtorch at all.
/// </summary>
public sealed class OnnxEncoder : IDisposable
{
    readonly InferenceSession _session;
    readonly bool _tokenTypes;
    readonly string _output;

    OnnxEncoder(Func<SessionOptions, InferenceSession> open, int threads, string source)
    {
        // ONNX Runtime's extended level fuses what the export has not fused; the layout transformations of its "all"
        // level add ~300 ms to opening the MiniLM-shaped graph here and nothing to its speed
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads > 0 ? threads : Environment.ProcessorCount,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
        };
        try { _session = open(options); }
        catch (OnnxRuntimeException e) { throw new TandemException($"{source}: ONNX Runtime cannot load it ({e.Message.Split('\n')[0]})", e); }
        var inputs = _session.InputMetadata.Keys.ToHashSet();
        if (!inputs.Contains("input_ids") || !inputs.Contains("attention_mask"))
        {
            _session.Dispose();
            throw new TandemException($"{source}: an encoder graph needs the inputs input_ids and attention_mask (it has {string.Join(", ", inputs)})");
        }
        _tokenTypes = inputs.Contains("token_type_ids");
        _output = _session.OutputMetadata.ContainsKey("last_hidden_state") ? "last_hidden_state" : _session.OutputMetadata.Keys.First();
    }

    /// <summary>Exports <paramref name="model"/> in memory (<see cref="BertOnnx.ToBytes"/>) and opens it in a session
    /// of <paramref name="threads"/> threads (one per core when 0).</summary>
    public static OnnxEncoder FromModel(BertModel model, int threads = 0)
    {
        var bytes = BertOnnx.ToBytes(model);
        return new OnnxEncoder(o => new InferenceSession(bytes, o), threads, "the exported encoder");
    }

    /// <summary>Opens the ONNX encoder at <paramref name="path"/> in a session of <paramref name="threads"/> threads
    /// (one per core when 0).</summary>
    public static OnnxEncoder FromFile(string path, int threads = 0)
    {
        if (!File.Exists(path)) throw new TandemException($"{path}: ONNX file not found");
        return new OnnxEncoder(o => new InferenceSession(path, o), threads, path);
    }

    /// <summary>The last hidden states, flattened <c>[batch, len, hidden]</c>, of <paramref name="inputIds"/> and
    /// <paramref name="attentionMask"/> (flattened <c>[batch, len]</c>; token types are zeros when null).</summary>
    public (float[] Hidden, int Width) Encode(long[] inputIds, long[] attentionMask, long[]? tokenTypeIds, int batch, int len)
    {
        if (inputIds.Length != (long)batch * len || attentionMask.Length != inputIds.Length || (tokenTypeIds is not null && tokenTypeIds.Length != inputIds.Length))
            throw new TandemException($"input ids, attention mask and token types must each hold {batch} x {len} values ({inputIds.Length}, {attentionMask.Length}, {tokenTypeIds?.Length})");
        long[] shape = [batch, len];
        var feeds = new Dictionary<string, OrtValue>
        {
            ["input_ids"] = OrtValue.CreateTensorValueFromMemory(inputIds, shape),
            ["attention_mask"] = OrtValue.CreateTensorValueFromMemory(attentionMask, shape),
        };
        try
        {
            if (_tokenTypes) feeds["token_type_ids"] = OrtValue.CreateTensorValueFromMemory(tokenTypeIds ?? new long[inputIds.Length], shape);
            using var run = new RunOptions();
            using var results = _session.Run(run, feeds, [_output]);
            var hidden = results[0];
            var dims = hidden.GetTensorTypeAndShape().Shape;
            return (hidden.GetTensorDataAsSpan<float>().ToArray(), (int)dims[^1]);
        }
        catch (OnnxRuntimeException e)
        {
            throw new TandemException($"ONNX Runtime could not encode {batch} x {len} tokens ({e.Message.Split('\n')[0]}); longer than the model's positions?", e);
        }
        finally
        {
            foreach (var v in feeds.Values) v.Dispose();
        }
    }

    /// <summary>The last hidden states <c>[batch, len, hidden]</c> (float32, CPU) of <paramref name="inputIds"/> and
    /// <paramref name="attentionMask"/> <c>[batch, len]</c> (int64; token types are zeros when not given).</summary>
    public Tensor Encode(Tensor inputIds, Tensor attentionMask, Tensor? tokenTypeIds = null)
    {
        if (inputIds.dim() != 2 || !inputIds.shape.SequenceEqual(attentionMask.shape))
            throw new TandemException($"input ids [{string.Join(", ", inputIds.shape)}] and attention mask [{string.Join(", ", attentionMask.shape)}] must both be [batch, len]");
        int batch = (int)inputIds.size(0), len = (int)inputIds.size(1);
        var (hidden, width) = Encode(Values(inputIds), Values(attentionMask), tokenTypeIds is null ? null : Values(tokenTypeIds), batch, len);
        return tensor(hidden, [batch, len, width]);
    }

    static long[] Values(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.to(ScalarType.Int64).cpu().contiguous().data<long>().ToArray();
    }

    /// <summary>Frees the session.</summary>
    public void Dispose() => _session.Dispose();
}

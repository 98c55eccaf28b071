using Tandem.Modeling;
using Tandem.Models.Bert;
using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Benchmarks.Workloads;

/// <summary>The MiniLM-shaped encoder alone (a BERT without gradients, as <c>tandem embed</c> and the encoder half of
/// generation run it) on random full-length sequences, in float32 or under a bf16 <see cref="Autocast"/> scope with
/// the weights converted once (<see cref="InferenceWeights"/>).</summary>
public static class EncoderForward
{
    /// <summary>Median seconds of one forward pass of <paramref name="batch"/> x <paramref name="length"/> tokens.</summary>
    public static double Time(int batch, int length, ScalarType dtype, int warmUp, int runs)
    {
        torch.manual_seed(0);
        using var model = new BertModel(MiniLmShape.Half());
        model.eval();
        using var noGrad = no_grad();
        using var precision = Autocast.Enter(dtype == ScalarType.Float32 ? null : dtype);
        using var held = InferenceWeights.Hold(model, Autocast.Dtype);                          // as tandem embed holds them
        using var ids = randint(1000, MiniLmShape.Vocab, [batch, length], dtype: ScalarType.Int64);   // [batch, len]
        using var mask = ones_like(ids);                                                             // [batch, len]
        return Repeat.MedianSeconds(warmUp, runs, () =>
        {
            using var scope = NewDisposeScope();
            using var output = model.forward(ids, mask);
        });
    }
}

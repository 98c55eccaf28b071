using Tandem.Native;
using static TorchSharp.torch;

namespace Tandem.Generation.LogitsProcessors;

/// <summary>transformers' <c>TemperatureLogitsWarper</c>: scores divided by the temperature.</summary>
internal sealed class TemperatureLogitsWarper : ILogitsProcessor
{
    private readonly double _temperature;

    public TemperatureLogitsWarper(double temperature)
    {
        if (!(temperature > 0) || !double.IsFinite(temperature))
            throw new TandemException($"temperature must be a strictly positive number (got {temperature}).");
        _temperature = temperature;
    }

    public Tensor Process(Tensor sequences, Tensor scores) => scores.Div(_temperature);
}

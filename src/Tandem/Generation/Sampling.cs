using TorchSharp;

namespace Tandem.Generation;

/// <summary>Multinomial sampling of the next token (transformers' <c>_sample</c>: softmax of the warped scores,
/// one draw per row). Owns its seeded generator, if any.</summary>
internal sealed class Sampler : IDisposable
{
    private readonly long? _seed;
    private torch.Generator? _generator;

    private Sampler(long? seed) => _seed = seed;

    /// <summary>A sampler drawing from a generator seeded with <paramref name="seed"/> (created on the device of
    /// the first scores), or from torch's global generator when null.</summary>
    public static Sampler Create(long? seed) => new(seed);

    /// <summary>One token per row <c>[rows]</c> (int64) drawn from <c>softmax(scores)</c>, scores <c>[rows, vocab]</c>.
    /// Every row draws, finished ones included, so the random stream matches transformers'.</summary>
    public torch.Tensor Sample(torch.Tensor scores)
    {
        var probs = scores.softmax(-1);                                            // [rows, vocab]
        if (_seed is long seed && _generator is null)
            _generator = new torch.Generator(unchecked((ulong)seed), probs.device);
        return torch.multinomial(probs, 1, generator: _generator).squeeze(1);      // [rows]
    }

    public void Dispose() => _generator?.Dispose();
}

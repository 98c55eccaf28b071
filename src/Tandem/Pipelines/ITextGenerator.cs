using Tandem.Generation;
using Tandem.Modeling;
using Tandem.Models;
using TorchSharp;

namespace Tandem.Pipelines;

/// <summary>What <c>tandem generate</c> needs of a loaded model folder, a seq2seq model (<see cref="Seq2SeqPipeline"/>)
/// or a decoder-only LM that continues prompts (<see cref="CausalLMPipeline"/>).</summary>
public interface ITextGenerator : IDisposable
{
    /// <summary>The module holding every parameter (to move it to a device).</summary>
    torch.nn.Module Module { get; }

    /// <summary>The folder's default generation options.</summary>
    GenerationConfig GenerationConfig { get; }

    /// <summary>Generates for every text; an empty text gives an item with an error, the others are generated.</summary>
    IEnumerable<GeneratedItem> Generate(IReadOnlyList<string> texts, GenerationConfig config, int batchSize = 8, Action<string>? warn = null);

    /// <summary>Generates from raw token ids, one row per input.</summary>
    IEnumerable<GeneratedItem> GenerateIds(IReadOnlyList<long[]> inputs, GenerationConfig config, int batchSize = 8);
}

/// <summary>Loads whichever generator a folder holds.</summary>
public static class TextGenerators
{
    /// <summary>A <see cref="CausalLMPipeline"/> for a decoder-only family's folder (GPT-2), else a
    /// <see cref="Seq2SeqPipeline"/>.</summary>
    public static ITextGenerator Load(string dir) =>
        CausalLMPipeline.IsCausalLMFolder(dir) ? CausalLMPipeline.Load(dir) : Seq2SeqPipeline.Load(dir);
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Tandem.Checkpoints;
using Tandem.Generation;
using Tandem.Modeling;
using Tandem.Models;
using Tandem.Tokenization;
using static TorchSharp.torch;

namespace Tandem.Pipelines;

/// <summary>
/// A decoder-only language model (GPT-2) with its tokenizer: prompts in, continuations out, in batches. Prompts
/// are LEFT-padded, as transformers' recipe for batched decoder-only generation, and each returned sequence is the
/// prompt followed by the generated tokens up to and including the first EOS (transformers' text-generation
/// default, <c>return_full_text</c>). Without tokenizer files it generates from token ids only.
/// </summary>
public sealed class CausalLMPipeline : ITextGenerator
{
    readonly IGenerativeModel _generator;

    /// <summary>The model.</summary>
    public ICausalDecoder Model { get; }

    /// <summary>The tokenizer, or null when the folder has none (then only <see cref="GenerateIds"/> works).</summary>
    public ITokenizer? Tokenizer { get; }

    /// <inheritdoc />
    public nn.Module Module => Model.Module;

    /// <inheritdoc />
    public GenerationConfig GenerationConfig { get; }

    CausalLMPipeline(ICausalDecoder model, ITokenizer? tokenizer, GenerationConfig generation)
    {
        Model = model;
        _generator = model as IGenerativeModel ?? throw new TandemException($"a {model.GetType().Name} cannot generate on its own");
        Tokenizer = tokenizer;
        GenerationConfig = generation;
        model.Module.eval();
    }

    /// <summary>Whether <paramref name="dir"/> holds a checkpoint of a decoder-only family (one that has no encoder).</summary>
    public static bool IsCausalLMFolder(string dir)
    {
        var path = Path.Combine(dir, "config.json");
        if (!File.Exists(path)) return false;
        string? type;
        try { type = JsonNode.Parse(File.ReadAllText(path))?["model_type"]?.GetValue<string>(); }
        catch (Exception e) when (e is JsonException or InvalidOperationException) { return false; }
        return ModelFamilies.Find(type) is { CreateEncoder: null };
    }

    /// <summary>Loads a decoder-only checkpoint folder strictly, its <c>generation_config.json</c> (else bos/eos/pad
    /// from the config) and its tokenizer files if any.</summary>
    /// <exception cref="TandemException">A bad folder, or a decoder with cross-attention (the half of a seq2seq model).</exception>
    public static CausalLMPipeline Load(string dir)
    {
        if (!Directory.Exists(dir)) throw new TandemException($"{dir}: model folder not found");
        var config = ModelFamilies.LoadConfig(dir);
        if (config.AddCrossAttention)
            throw new TandemException($"{dir}: this {config.ModelType} decoder has cross-attention: it is the decoder half of a seq2seq model and needs an encoder (tandem init --decoder {dir})");
        var report = new LoadReport();
        var model = ModelFamilies.LoadDecoder(dir, crossAttention: false, report);
        try
        {
            report.ThrowIfIncomplete(dir);
            var generationPath = Path.Combine(dir, ModelFolder.GenerationConfigName);
            var generation = File.Exists(generationPath)
                ? GenerationConfig.Load(generationPath)
                : new GenerationConfig { BosTokenId = config.BosTokenId, PadTokenId = config.PadTokenId, EosTokenId = config.EosTokenId is { } e ? [e] : null };
            ITokenizer? tokenizer = null;
            if (AutoTokenizer.Exists(dir))
            {
                tokenizer = AutoTokenizer.FromPretrained(dir);
                VocabularyCheck.EnsureFits(tokenizer, model.VocabSize, dir);
            }
            return new CausalLMPipeline(model, tokenizer, generation);
        }
        catch
        {
            model.Module.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public IEnumerable<GeneratedItem> Generate(IReadOnlyList<string> texts, GenerationConfig config, int batchSize = 8, Action<string>? warn = null)
    {
        if (Tokenizer is null)
            throw new TandemException("this model folder has no tokenizer files (tokenizer.json, or vocab.json + merges.txt): give prompts as token ids (--ids)");
        var items = new List<(int Index, long[]? Ids, string? Error)>();
        for (int i = 0; i < texts.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(texts[i])) { items.Add((i, null, $"input {i + 1} is empty")); continue; }
            items.Add((i, TextInputs.Encode(Tokenizer, [texts[i]], Model.MaxPositions, warn, i).InputIds[0], null));
        }
        return Run(items, config, batchSize);
    }

    /// <inheritdoc />
    public IEnumerable<GeneratedItem> GenerateIds(IReadOnlyList<long[]> inputs, GenerationConfig config, int batchSize = 8) =>
        Run(inputs.Select((ids, i) => (i, (long[]?)ids, ids.Length == 0 ? $"input {i + 1} has no token ids" : null)).ToList(), config, batchSize);

    IEnumerable<GeneratedItem> Run(List<(int Index, long[]? Ids, string? Error)> items, GenerationConfig config, int batchSize)
    {
        config.Validate();
        return GenerationBatches.Run(items, batchSize, Model.VocabSize, batch => RunBatch(batch, config));
    }

    List<GeneratedItem> RunBatch(List<(int Index, long[] Ids)> batch, GenerationConfig config)
    {
        using var scope = NewDisposeScope();
        int len = batch.Max(b => b.Ids.Length);
        var device = Model.Module.parameters().First().device;
        long pad = config.PadTokenId ?? config.EosTokenId?.FirstOrDefault() ?? 0;
        var ids = new long[batch.Count * len];
        var mask = new long[batch.Count * len];
        for (int r = 0; r < batch.Count; r++)
        {
            int offset = len - batch[r].Ids.Length;                                             // left padding
            for (int c = 0; c < len; c++)
            {
                bool real = c >= offset;
                ids[r * len + c] = real ? batch[r].Ids[c - offset] : pad;
                mask[r * len + c] = real ? 1 : 0;
            }
        }
        var output = Tandem.Generation.Generator.Generate(_generator, tensor(ids, [batch.Count, len]).to(device), tensor(mask, [batch.Count, len]).to(device), config);
        var eos = config.EosTokenId?.Select(e => (long)e).ToHashSet() ?? [];
        int perInput = output.Sequences.Length / batch.Count;
        var results = new List<GeneratedItem>();
        for (int r = 0; r < batch.Count; r++)
        {
            var seqs = Enumerable.Range(r * perInput, perInput)
                .Select(i => Continuation(batch[r].Ids, output.Sequences[i][len..], eos)).ToArray();
            var texts = Tokenizer is null ? seqs.Select(_ => "").ToArray() : seqs.Select(s => Tokenizer.Decode(s)).ToArray();
            results.Add(new GeneratedItem(batch[r].Index, seqs, texts, output.SequencesScores?.Skip(r * perInput).Take(perInput).ToArray()));
        }
        return results;
    }

    /// <summary>The prompt followed by the generated tokens up to and including the first EOS.</summary>
    static long[] Continuation(long[] prompt, long[] generated, HashSet<long> eos)
    {
        int end = Array.FindIndex(generated, eos.Contains);
        return [.. prompt, .. end < 0 ? generated : generated[..(end + 1)]];
    }

    /// <summary>Frees the model.</summary>
    public void Dispose() => Model.Module.Dispose();
}

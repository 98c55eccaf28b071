using Tandem.Generation;
using Tandem.Modeling;
using Tandem.Tokenization;
using static TorchSharp.torch;

namespace Tandem.Pipelines;

/// <summary>One generated input: its returned sequences (ids and text) and, for beam search, their scores.</summary>
/// <param name="Index">Position of the input (0-based).</param>
/// <param name="Sequences">Token ids, each starting with the decoder start token, padding removed.</param>
/// <param name="Texts">Decoded texts, special tokens skipped.</param>
/// <param name="Scores">Beam search's <c>sequences_scores</c>, else null.</param>
/// <param name="Error">Why this input produced nothing (e.g. an empty line), else null.</param>
public sealed record GeneratedItem(int Index, long[][] Sequences, string[] Texts, float[]? Scores, string? Error = null);

/// <summary>A seq2seq model (or an ensemble of several) with its tokenizers: text in, text out, in batches. Sources
/// are encoded with the source tokenizer, outputs decoded with the target tokenizer.</summary>
public sealed class Seq2SeqPipeline : ITextGenerator
{
    /// <summary>The model (with an ensemble: the first member, whose generation config and special ids rule).</summary>
    public ISeq2SeqModel Model { get; }

    /// <summary>Every model that generates: <see cref="Model"/> alone, or the members of an ensemble.</summary>
    public IReadOnlyList<ISeq2SeqModel> Models { get; }

    readonly IGenerativeModel _generator;

    /// <summary>The tokenizers of the two sides (often one shared).</summary>
    public Seq2SeqTokenizers Tokenizers { get; }

    /// <summary>Longest source the encoder accepts.</summary>
    public int MaxSourceLength { get; }

    /// <summary>Pairs a loaded model with one tokenizer for both sides.</summary>
    public Seq2SeqPipeline(ISeq2SeqModel model, ITokenizer tokenizer, int maxSourceLength)
        : this([model], new Seq2SeqTokenizers(tokenizer), maxSourceLength) { }

    /// <summary>An ensemble of <paramref name="models"/> (see <see cref="Ensemble"/>) sharing one pair of tokenizers.</summary>
    public Seq2SeqPipeline(IReadOnlyList<ISeq2SeqModel> models, Seq2SeqTokenizers tokenizers, int maxSourceLength)
    {
        if (models.Count == 0) throw new TandemException("a pipeline needs at least one model");
        Models = models;
        Model = models[0];
        _generator = models.Count == 1 ? models[0] : new Ensemble(models);
        Tokenizers = tokenizers;
        MaxSourceLength = maxSourceLength;
        foreach (var m in models) m.Module.eval();
    }

    /// <summary>
    /// Loads several model folders as one ensemble. They must have the same tokenizer files and special token ids
    /// (the first folder's generation config is used); one folder is the same as <see cref="Load(string)"/>.
    /// </summary>
    public static Seq2SeqPipeline Load(IReadOnlyList<string> dirs)
    {
        if (dirs.Count == 0) throw new TandemException("no model folder given");
        if (dirs.Count == 1) return Load(dirs[0]);
        var loaded = new List<Seq2SeqPipeline>();
        try
        {
            foreach (var dir in dirs) loaded.Add(Load(dir));
            var first = loaded[0];
            for (int i = 1; i < loaded.Count; i++)
            {
                var other = loaded[i];
                if (TokenizerFiles.FirstDifference(dirs[0], dirs[i]) is string file)
                    throw new TandemException($"{dirs[i]}: its {file} differs from {dirs[0]}'s; an ensemble needs one tokenizer");
                if (other.Model.SpecialIds != first.Model.SpecialIds || other.Model.VocabSize != first.Model.VocabSize)
                    throw new TandemException($"{dirs[i]}: special ids {other.Model.SpecialIds} or vocabulary size {other.Model.VocabSize} differ from {dirs[0]}'s ({first.Model.SpecialIds}, {first.Model.VocabSize})");
            }
            return new Seq2SeqPipeline(loaded.Select(p => p.Model).ToList(), first.Tokenizers, loaded.Min(p => p.MaxSourceLength));
        }
        catch
        {
            foreach (var p in loaded) p.Dispose();
            throw;
        }
    }

    /// <summary>Loads a model folder with its tokenizer files (see <see cref="Seq2SeqTokenizers"/> for the layout). The
    /// tokenizer is read on another thread while the weights load (it needs no libtorch).</summary>
    public static Seq2SeqPipeline Load(string dir)
    {
        var tokenizers = Seq2SeqTokenizers.Exists(dir) ? Task.Run(() => Seq2SeqTokenizers.FromPretrained(dir)) : null;
        ISeq2SeqModel model;
        try { model = Seq2SeqModels.FromPretrained(dir); }
        catch
        {
            _ = tokenizers?.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);   // the model's error is the one reported
            throw;
        }
        Diagnostics.PhaseTiming.Mark("model built, weights loaded");
        try
        {
            if (tokenizers is null)
                throw new TandemException($"{dir}: no tokenizer files (tokenizer.json, vocab.json + merges.txt, or vocab.txt); save the model with its tokenizer or pass token ids");
            var loaded = tokenizers.GetAwaiter().GetResult();
            VocabularyCheck.EnsureFits(loaded.Target, model.VocabSize, dir);
            Diagnostics.PhaseTiming.Mark("tokenizer loaded");
            return new Seq2SeqPipeline([model], loaded, model.MaxSourceLength);
        }
        catch { model.Dispose(); throw; }
    }

    /// <inheritdoc />
    public TorchSharp.torch.nn.Module Module => Model.Module;

    /// <inheritdoc />
    public GenerationConfig GenerationConfig => Model.GenerationConfig;

    /// <summary>Generates for every text. An empty text gives an item with <see cref="GeneratedItem.Error"/> set;
    /// the others are still generated.</summary>
    public IEnumerable<GeneratedItem> Generate(IReadOnlyList<string> sources, GenerationConfig config, int batchSize = 8, Action<string>? warn = null)
    {
        var tokenized = new List<(int Index, long[]? Ids, string? Error)>();
        for (int i = 0; i < sources.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(sources[i])) { tokenized.Add((i, null, $"input {i + 1} is empty")); continue; }
            var encoding = TextInputs.Encode(Tokenizers.Source, [sources[i]], MaxSourceLength, warn, i);
            tokenized.Add((i, encoding.InputIds[0], null));
        }
        return GenerateTokenized(tokenized, config, batchSize);
    }

    /// <summary>Generates from raw source token ids (each row as the encoder should read it).</summary>
    public IEnumerable<GeneratedItem> GenerateIds(IReadOnlyList<long[]> sources, GenerationConfig config, int batchSize = 8) =>
        GenerateTokenized(sources.Select((ids, i) => (i, (long[]?)ids, ids.Length == 0 ? $"input {i + 1} has no token ids" : null)).ToList(), config, batchSize);

    IEnumerable<GeneratedItem> GenerateTokenized(List<(int Index, long[]? Ids, string? Error)> items, GenerationConfig config, int batchSize)
    {
        config.Validate();
        return GenerationBatches.Run(items, batchSize, Tokenizers.Source.VocabSize, batch => RunBatch(batch, config));
    }

    List<GeneratedItem> RunBatch(List<(int Index, long[] Ids)> batch, GenerationConfig config)
    {
        using var scope = NewDisposeScope();
        int len = batch.Max(b => b.Ids.Length);
        var device = Model.Module.parameters().First().device;
        var ids = new long[batch.Count * len];
        var mask = new long[batch.Count * len];
        // Sources are padded with the source tokenizer's pad (RoBERTa's position ids skip it); outputs with the model's.
        long sourcePad = Tokenizers.Source.PadTokenId ?? Model.SpecialIds.Pad ?? 0;
        long pad = Model.SpecialIds.Pad ?? Tokenizers.Target.PadTokenId ?? 0;
        for (int r = 0; r < batch.Count; r++)
            for (int c = 0; c < len; c++)
            {
                bool real = c < batch[r].Ids.Length;
                ids[r * len + c] = real ? batch[r].Ids[c] : sourcePad;
                mask[r * len + c] = real ? 1 : 0;
            }
        var output = Tandem.Generation.Generator.Generate(_generator,
            tensor(ids, [batch.Count, len]).to(device), tensor(mask, [batch.Count, len]).to(device), config);
        int perInput = output.Sequences.Length / batch.Count;
        var results = new List<GeneratedItem>();
        for (int r = 0; r < batch.Count; r++)
        {
            var seqs = Enumerable.Range(r * perInput, perInput).Select(i => Trim(output.Sequences[i], pad)).ToArray();
            var scores = output.SequencesScores?.Skip(r * perInput).Take(perInput).ToArray();
            results.Add(new GeneratedItem(batch[r].Index, seqs, seqs.Select(s => Tokenizers.Target.Decode(s)).ToArray(), scores));
        }
        return results;
    }

    /// <summary>Removes the padding generation puts after EOS.</summary>
    static long[] Trim(long[] sequence, long pad)
    {
        int end = sequence.Length;
        while (end > 1 && sequence[end - 1] == pad) end--;
        return sequence[..end];
    }

    /// <summary>Frees the model(s).</summary>
    public void Dispose()
    {
        foreach (var m in Models) m.Dispose();
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Checkpoints;

/// <summary>How <see cref="CheckpointLoader"/> maps checkpoint keys onto a model.</summary>
public sealed class LoadOptions
{
    /// <summary>Prefixes that checkpoint keys may carry and the model's keys lack (e.g. <c>bert.</c> of a
    /// <c>BertForMaskedLM</c> checkpoint loaded into a bare <c>BertModel</c>).</summary>
    public IReadOnlyList<string> SourcePrefixes { get; init; } = [];
    /// <summary>Prefixes the model's keys carry and checkpoint keys may lack (e.g. <c>bert.</c> when an LM-head
    /// decoder is warm-started from a bare encoder checkpoint).</summary>
    public IReadOnlyList<string> TargetPrefixes { get; init; } = [];
    /// <summary>Checkpoint key prefixes (after mapping) that are unused on purpose: reported, never an error.</summary>
    public IReadOnlyList<string> IgnoredPrefixes { get; init; } = ["cls.", "lm_head.", "qa_outputs.", "classifier."];
}

/// <summary>
/// Copies a checkpoint's tensors into a module's parameters, converting dtype (fp16/bf16 to the model's) and
/// normalising the key variants published checkpoints use (a model prefix, legacy <c>LayerNorm.gamma</c>/<c>beta</c>).
/// It never throws for a missing or unexpected key: it reports, and the caller decides (see <see cref="LoadReport.ThrowIfIncomplete"/>).
/// </summary>
public static class CheckpointLoader
{
    /// <summary>Buffers checkpoints carry that no model parameter takes: position ids, and GPT-2's causal mask
    /// (<c>h.N.attn.bias</c>, <c>masked_bias</c>, also under <c>crossattention</c>) in older transformers' .bin files.</summary>
    static readonly string[] UnusedBufferSuffixes =
        ["position_ids", "embeddings.token_type_ids", ".attn.bias", ".attn.masked_bias", ".crossattention.bias", ".crossattention.masked_bias"];

    /// <summary>Loads <paramref name="weights"/> into <paramref name="model"/>; <paramref name="source"/> names the checkpoint in messages.</summary>
    public static LoadReport Load(nn.Module model, StateDict weights, string source, LoadOptions? options = null)
    {
        options ??= new LoadOptions();
        var target = model.state_dict();
        var source2 = weights.Tensors.ToDictionary(kv => Normalise(kv.Key), kv => kv.Value);
        var (map, mapping) = BestMapping(target.Keys.ToHashSet(), source2.Keys, options);
        var report = new LoadReport();
        var loadedTensors = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);

        using (no_grad())
        {
            foreach (var (srcKey, tensor) in source2)
            {
                var key = map(srcKey);
                if (key is null || !target.TryGetValue(key, out var dst))
                {
                    if (UnusedBufferSuffixes.Any(s => srcKey.EndsWith(s, StringComparison.Ordinal)))
                        report.Ignored.Add(srcKey);
                    else if (options.IgnoredPrefixes.Any(p => (key ?? srcKey).StartsWith(p, StringComparison.Ordinal)))
                        report.Ignored.Add(srcKey);
                    else
                        report.Unused.Add(srcKey);
                    continue;
                }
                if (!dst.shape.SequenceEqual(tensor.shape))
                {
                    report.ShapeMismatches.Add($"{srcKey} is {SafeTensors.FormatShape(tensor.shape)} in the checkpoint, the model expects {SafeTensors.FormatShape(dst.shape)}{Hint(key)}");
                    continue;
                }
                CopyInto(dst, tensor);
                report.Loaded.Add(key);
                loadedTensors.Add(dst);
            }
        }
        foreach (var (key, t) in target)
        {
            if (report.Loaded.Contains(key)) continue;
            report.NotFromCheckpoint.Add(key);
            if (!loadedTensors.Contains(t)) report.Missing.Add(key);
        }
        report.NotFromCheckpoint.Sort(StringComparer.Ordinal);
        report.Missing.Sort(StringComparer.Ordinal);
        _ = mapping;
        return report;
    }

    static int _takingPages;

    /// <summary>
    /// Until disposed, loads in this process let a parameter take its source's memory where it can instead of copying
    /// it (see <see cref="CopyInto"/>): for a memory-mapped safetensors file (<see cref="SafeTensors.Map"/>) the
    /// parameter then reads the file's pages from the page cache, and the kernel copies a page only when the parameter
    /// is written (a private mapping: the file never changes), so loading neither zeroes nor copies those bytes (a
    /// MiniLM2MiniLM folder's word and position embeddings, 97 of its 196 MB: <c>tandem ask</c>'s weights phase
    /// 180 -> 130 ms). The price: while the model lives, its file must not be rewritten in place. A file replaced by a
    /// rename (as Tandem writes checkpoints) is fine, but a tool that truncates and rewrites it (safetensors'
    /// <c>save_file</c> does) makes the next read of those pages kill the process (SIGBUS). Hence for a process that
    /// loads a model, answers and exits (<c>tandem ask</c>), not the default, and not for a server.
    /// </summary>
    public static IDisposable TakingFilePages()
    {
        Interlocked.Increment(ref _takingPages);
        return new TakingPages();
    }

    sealed class TakingPages : IDisposable
    {
        int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) Interlocked.Decrement(ref _takingPages);
        }
    }

    /// <summary>Fills the parameter <paramref name="dst"/> from <paramref name="src"/>. Under
    /// <see cref="TakingFilePages"/>, a source of the same dtype, shape and row-major layout on the same device becomes
    /// the parameter's memory (<c>set_</c>, no copy). Any other source is copied in; a column-major matrix (the layout
    /// of <see cref="Modeling.Linear"/> weights) through its contiguous transpose: libtorch then copies a row-major
    /// source in cache-sized blocks instead of element by element with strided writes.</summary>
    static void CopyInto(Tensor dst, Tensor src)
    {
        if (Volatile.Read(ref _takingPages) > 0 && dst.dtype == src.dtype && dst.device_type == src.device_type && dst.device_index == src.device_index
            && dst.is_contiguous() && src.is_contiguous())
        {
            dst.set_(src);
            return;
        }
        if (dst.dim() != 2 || dst.is_contiguous())
        {
            dst.copy_(src);
            return;
        }
        using var dstT = dst.t();
        using var srcT = src.t();
        dstT.copy_(srcT);
    }

    static string Hint(string key) => key.EndsWith("word_embeddings.weight", StringComparison.Ordinal)
        ? " (config.json's vocab_size does not match the checkpoint's embedding matrix)"
        : key.EndsWith("position_embeddings.weight", StringComparison.Ordinal)
            ? " (config.json's max_position_embeddings does not match the checkpoint)" : "";

    internal static string Normalise(string key)
    {
        if (key.EndsWith(".gamma", StringComparison.Ordinal)) return key[..^6] + ".weight";
        if (key.EndsWith(".beta", StringComparison.Ordinal)) return key[..^5] + ".bias";
        return key;
    }

    /// <summary>Chooses, among stripping a source prefix and/or adding a target prefix, the mapping
    /// that places the most checkpoint keys.</summary>
    static (Func<string, string?> Map, string Name) BestMapping(HashSet<string> target, IEnumerable<string> sourceKeys, LoadOptions o)
    {
        var keys = sourceKeys.ToList();
        var candidates = new List<(Func<string, string?>, string)>();
        foreach (var strip in o.SourcePrefixes.Prepend("").Distinct())
            foreach (var add in o.TargetPrefixes.Prepend("").Distinct())
                candidates.Add((k => k.StartsWith(strip, StringComparison.Ordinal) ? add + k[strip.Length..] : null, $"strip '{strip}', add '{add}'"));
        var best = candidates.MaxBy(c => keys.Count(k => c.Item1(k) is { } m && target.Contains(m)));
        var primary = best.Item1;
        // Keys the chosen mapping cannot place keep their own name (e.g. "cls." heads beside stripped "bert." keys).
        return (k => primary(k) is { } m && target.Contains(m) ? m : target.Contains(k) ? k : primary(k) ?? k, best.Item2);
    }
}

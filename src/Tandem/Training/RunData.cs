using Tandem.Tokenization;
using Tandem.Training.Data;

namespace Tandem.Training;

/// <summary>The tokenized training split and the optional evaluation split (with its reference texts).</summary>
internal sealed class RunData
{
    public required List<TokenizedExample> Train { get; init; }
    public List<TokenizedExample>? Dev { get; init; }
    public List<string>? DevReferences { get; init; }

    public static RunData Load(TrainConfig config, Seq2SeqTokenizers tokenizers, string runDir, Action<string> log)
    {
        var d = config.Data;
        var format = d.Format switch { "jsonl" => PairFormat.JsonLines, "tsv" => PairFormat.Tsv, "csv" => PairFormat.Csv, _ => PairFormat.Auto };
        var cache = d.CacheDir ?? Path.Combine(runDir, "cache");
        List<TokenizedExample> Split(string name)
        {
            var (examples, hit) = TokenCache.Load(d.Splits[name], tokenizers, format, d.SourceField, d.TargetField, d.MaxSourceLength, d.MaxTargetLength, cache);
            log($"data.splits.{name}: {examples.Count} examples from {d.Splits[name]}{(hit ? " (cached)" : "")}");
            if (examples.Count == 0) throw new TandemException($"data.splits.{name}: {d.Splits[name]} has no examples");
            return examples;
        }
        var train = Split(d.TrainSplit);
        if (!d.Splits.ContainsKey(d.EvalSplit)) return new RunData { Train = train };
        var dev = Split(d.EvalSplit);
        var refs = PairReader.Read(d.Splits[d.EvalSplit], format, d.SourceField, d.TargetField).Select(p => p.Target).ToList();
        return new RunData { Train = train, Dev = dev, DevReferences = refs };
    }

    public List<int[]> Batches(TrainConfig c, int epoch) =>
        LengthBatcher.Batches(Train, c.Batching.MaxTokens, c.Batching.MaxBatchSize, c.Batching.Shuffle, c.Seed, epoch);
}

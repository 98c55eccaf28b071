using Tandem.Training;
using static TorchSharp.torch;

namespace Tandem.Pretraining;

/// <summary>
/// The text of a language-model pre-training run (masked or causal) as blocks of ids: every non-empty line of the
/// train and evaluation splits is encoded as the objective wants (with its special tokens) and the lines are packed
/// with <see cref="TextBlocks"/> into blocks of <c>objective.block_size</c>. Batches are runs of whole blocks
/// (<c>batching.max_batch_size</c> of them, or as many as fit in <c>batching.max_tokens</c>), shuffled per epoch
/// from the seed.
/// </summary>
internal sealed class BlockCorpus
{
    readonly TrainConfig _config;

    /// <summary>The training blocks.</summary>
    public IReadOnlyList<long[]> Train { get; }

    /// <summary>The evaluation blocks (at most <c>evaluation.max_examples</c>); null without an evaluation split.</summary>
    public IReadOnlyList<long[]>? Dev { get; }

    /// <summary>Blocks in one batch.</summary>
    public int BlocksPerBatch { get; }

    /// <param name="config">The run's config (data splits, block size, batching, seed).</param>
    /// <param name="encode">One line of text to its ids, special tokens included.</param>
    /// <param name="log">Where to say what was read.</param>
    public BlockCorpus(TrainConfig config, Func<string, IReadOnlyList<int>> encode, Action<string> log)
    {
        _config = config;
        int blockSize = config.Objective.BlockSize;
        BlocksPerBatch = config.Batching.MaxBatchSize > 0 ? config.Batching.MaxBatchSize : Math.Max(1, config.Batching.MaxTokens / blockSize);
        var d = config.Data;
        Train = Load(d.Splits[d.TrainSplit], encode, blockSize, $"data.splits.{d.TrainSplit}");
        log($"data.splits.{d.TrainSplit}: {Train.Count} blocks of {blockSize} ids from {d.Splits[d.TrainSplit]}");
        if (d.Splits.TryGetValue(d.EvalSplit, out var devPath))
        {
            var blocks = Load(devPath, encode, blockSize, $"data.splits.{d.EvalSplit}");
            Dev = config.Evaluation.MaxExamples > 0 ? blocks.Take(config.Evaluation.MaxExamples).ToList() : blocks;
            log($"data.splits.{d.EvalSplit}: {Dev.Count} blocks from {devPath}");
        }
    }

    static List<long[]> Load(string path, Func<string, IReadOnlyList<int>> encode, int blockSize, string key)
    {
        if (!File.Exists(path)) throw new TandemException($"{key}: {path}: no such file");
        var lines = File.ReadLines(path).Where(l => !string.IsNullOrWhiteSpace(l)).Select(encode);
        var blocks = TextBlocks.Pack(lines, blockSize).ToList();
        if (blocks.Count == 0)
            throw new TandemException($"{key}: {path} has fewer than {blockSize} tokens, not one block of objective.block_size; give more text or a smaller block_size");
        return blocks;
    }

    /// <summary>The batches of <paramref name="epoch"/>: indices into <see cref="Train"/>.</summary>
    public IReadOnlyList<int[]> Batches(int epoch)
    {
        var order = Enumerable.Range(0, Train.Count).ToArray();
        if (_config.Batching.Shuffle) new Random(Seed(_config.Seed, epoch, -1)).Shuffle(order);
        return order.Chunk(BlocksPerBatch).ToList();
    }

    /// <summary>The ids in a batch of <paramref name="rows"/>.</summary>
    public long Tokens(int[] rows) => (long)rows.Length * _config.Objective.BlockSize;

    /// <summary>Rows of equal length as one int64 tensor <c>[rows, len]</c>.</summary>
    public static Tensor Stack(IReadOnlyList<long[]> rows)
    {
        int n = rows.Count, len = rows[0].Length;
        var flat = new long[n * len];
        for (int r = 0; r < n; r++) rows[r].CopyTo(flat, r * len);
        return tensor(flat, [n, len], ScalarType.Int64);                                           // [rows, len]
    }

    /// <summary>A generator seed from a run seed and two counters (epoch and batch), mixed so that neighbouring
    /// counters give unrelated streams (SplitMix64's finaliser).</summary>
    public static int Seed(int seed, int a, int b)
    {
        ulong x = Mix((ulong)(uint)seed);
        x = Mix(x ^ (uint)a);
        x = Mix(x ^ ((ulong)(uint)b << 32));
        return (int)(x >> 33);
    }

    static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}

using Tandem.Tokenization;

namespace Tandem.Pretraining;

/// <summary>A plain-text corpus (one text a line) as blocks of ids for masked-LM training: every non-empty line is
/// tokenised with its special tokens and the lines are packed with <see cref="TextBlocks"/>.</summary>
internal static class MaskedLMData
{
    /// <summary>The blocks of <paramref name="path"/>; <paramref name="key"/> names the config key in errors.</summary>
    public static List<long[]> Load(string path, WordPieceTokenizer tokenizer, int blockSize, string key)
    {
        if (!File.Exists(path)) throw new TandemException($"{key}: {path}: no such file");
        var lines = File.ReadLines(path).Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => tokenizer.EncodeToIds(l));
        var blocks = TextBlocks.Pack(lines, blockSize).ToList();
        if (blocks.Count == 0)
            throw new TandemException($"{key}: {path} has fewer than {blockSize} tokens, not one block of objective.block_size; give more text or a smaller block_size");
        return blocks;
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

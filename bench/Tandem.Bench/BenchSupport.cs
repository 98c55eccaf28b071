using System.Globalization;
using Tandem.Models.Bert;
using Tandem.Models.EncoderDecoder;

namespace Tandem.Bench;

/// <summary>The model both benchmarks time: a BERT2BERT of two MiniLM-shaped halves (all-MiniLM-L6-v2's
/// architecture) with random weights.</summary>
internal static class MiniLmShape
{
    public const int Hidden = 384, Layers = 6, Heads = 12, Intermediate = 1536, Vocab = 30522;

    /// <summary>The encoder-decoder config (BERT2BERT's special ids: start [CLS] 101, eos [SEP] 102, pad 0).</summary>
    public static EncoderDecoderConfig Config()
    {
        var half = new BertConfig
        {
            VocabSize = Vocab, HiddenSize = Hidden, NumHiddenLayers = Layers, NumAttentionHeads = Heads, IntermediateSize = Intermediate,
        };
        return new EncoderDecoderConfig { Encoder = half, Decoder = half.Clone(), DecoderStartTokenId = 101, EosTokenId = 102, PadTokenId = 0 };
    }
}

/// <summary>Command-line options of the benchmarks.</summary>
internal static class BenchArgs
{
    /// <summary>The integer after <paramref name="name"/>, or <paramref name="fallback"/>.</summary>
    public static int Int(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}

/// <summary>Process memory from <c>/proc/self</c>, in MB.</summary>
internal static class Memory
{
    /// <summary>Resident set size now (VmRSS).</summary>
    public static long Rss() => Status("VmRSS:");

    /// <summary>Peak resident set size (VmHWM) since start or the last <see cref="ResetPeak"/>.</summary>
    public static long Peak() => Status("VmHWM:");

    /// <summary>Resets VmHWM to the current RSS (writes 5 to <c>/proc/self/clear_refs</c>); false if refused.</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    static long Status(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line[key.Length..].Trim().Split(' ')[0]) / 1024;
        return -1;
    }
}

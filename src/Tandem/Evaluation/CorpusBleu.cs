using System.Globalization;

namespace Tandem.Evaluation;

/// <summary>How <see cref="CorpusBleu"/> smooths n-gram precisions whose match count is zero (sacreBLEU's names).</summary>
public enum BleuSmoothing
{
    /// <summary>sacreBLEU's default: the k-th zero precision becomes 1 / (2^k · total).</summary>
    Exp,
    /// <summary>No smoothing: one zero precision makes the score 0.</summary>
    None,
    /// <summary>A zero precision becomes 0.1 / total.</summary>
    Floor,
    /// <summary>Adds 1 to match and total counts of orders 2 and up.</summary>
    AddK,
}

/// <summary>A corpus BLEU score with the statistics sacreBLEU prints.</summary>
/// <param name="Score">BLEU, 0–100.</param>
/// <param name="Precisions">The n-gram precisions (0–100), orders 1 to 4, after smoothing.</param>
/// <param name="BrevityPenalty">The brevity penalty.</param>
/// <param name="SystemLength">Tokens in the hypotheses.</param>
/// <param name="ReferenceLength">Tokens in the closest references.</param>
/// <param name="Signature">The sacreBLEU-style signature, e.g. <c>nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.x</c>.</param>
public sealed record BleuScore(double Score, double[] Precisions, double BrevityPenalty, int SystemLength, int ReferenceLength, string Signature)
{
    /// <summary>sacreBLEU's one-line summary, e.g. <c>BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ...)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"BLEU = {Score:F2} {string.Join('/', Precisions.Select(p => p.ToString("F1", CultureInfo.InvariantCulture)))} " +
        $"(BP = {BrevityPenalty:F3} ratio = {(ReferenceLength == 0 ? 0 : (double)SystemLength / ReferenceLength):F3} " +
        $"hyp_len = {SystemLength} ref_len = {ReferenceLength})");
}

/// <summary>Corpus-level BLEU-4 computed as sacreBLEU 2.x does: 13a tokenisation, n-gram counts clipped by the
/// references, the closest reference length for the brevity penalty, and sacreBLEU's smoothing methods.</summary>
public static class CorpusBleu
{
    const int MaxOrder = 4;

    /// <summary>Scores <paramref name="hypotheses"/> against one or more reference streams (each as long as the hypotheses).</summary>
    /// <param name="hypotheses">System outputs, one per segment.</param>
    /// <param name="references">Reference streams: <c>references[r][i]</c> is reference r of segment i.</param>
    /// <param name="smoothing">Smoothing method (sacreBLEU's default is <see cref="BleuSmoothing.Exp"/>).</param>
    /// <param name="lowercase">Lower-cases everything first (sacreBLEU <c>-lc</c>, signature <c>case:lc</c>).</param>
    public static BleuScore Compute(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references,
        BleuSmoothing smoothing = BleuSmoothing.Exp, bool lowercase = false)
    {
        if (references.Count == 0) throw new TandemException("BLEU needs at least one reference stream");
        foreach (var stream in references)
            if (stream.Count != hypotheses.Count)
                throw new TandemException($"BLEU: a reference stream has {stream.Count} segments, the hypotheses {hypotheses.Count}");
        var correct = new double[MaxOrder];
        var total = new double[MaxOrder];
        int sysLen = 0, refLen = 0;
        for (int i = 0; i < hypotheses.Count; i++)
        {
            var hyp = Words(hypotheses[i], lowercase);
            var refs = references.Select(s => Words(s[i], lowercase)).ToList();
            sysLen += hyp.Length;
            refLen += ClosestLength(hyp.Length, refs);
            for (int n = 1; n <= MaxOrder; n++)
            {
                var maxRef = new Dictionary<string, int>();
                foreach (var r in refs)
                    foreach (var (g, c) in NGrams(r, n))
                        maxRef[g] = Math.Max(maxRef.GetValueOrDefault(g), c);
                foreach (var (g, c) in NGrams(hyp, n))
                {
                    total[n - 1] += c;
                    correct[n - 1] += Math.Min(c, maxRef.GetValueOrDefault(g));
                }
            }
        }
        return Score(correct, total, sysLen, refLen, smoothing, Signature(references.Count, lowercase, smoothing));
    }

    /// <summary>The signature sacreBLEU prints for these settings.</summary>
    public static string Signature(int nrefs, bool lowercase, BleuSmoothing smoothing) =>
        $"nrefs:{nrefs}|case:{(lowercase ? "lc" : "mixed")}|eff:no|tok:13a|smooth:{SmoothName(smoothing)}|version:2.x";

    static string SmoothName(BleuSmoothing s) => s switch
    {
        BleuSmoothing.Exp => "exp", BleuSmoothing.None => "none", BleuSmoothing.Floor => "floor", _ => "add-k",
    };

    static BleuScore Score(double[] correct, double[] total, int sysLen, int refLen, BleuSmoothing smoothing, string signature)
    {
        var precisions = new double[MaxOrder];
        double smoothMteval = 1.0;
        for (int n = 0; n < MaxOrder; n++)
        {
            if (smoothing == BleuSmoothing.AddK && n > 0) { correct[n] += 1; total[n] += 1; }
            if (total[n] == 0) break;
            if (correct[n] == 0)
            {
                if (smoothing == BleuSmoothing.Exp) { smoothMteval *= 2; precisions[n] = 100.0 / (smoothMteval * total[n]); }
                else if (smoothing == BleuSmoothing.Floor) precisions[n] = 100.0 * 0.1 / total[n];
            }
            else precisions[n] = 100.0 * correct[n] / total[n];
        }
        double bp = sysLen < refLen ? (sysLen > 0 ? Math.Exp(1 - (double)refLen / sysLen) : 0.0) : 1.0;
        double logSum = precisions.Sum(p => p == 0 ? -9999999999.0 : Math.Log(p));
        double score = bp * Math.Exp(logSum / MaxOrder);
        return new BleuScore(score, precisions, bp, sysLen, refLen, signature);
    }

    static string[] Words(string text, bool lowercase)
    {
        var tokenized = Tokenizer13a.Tokenize(lowercase ? text.ToLowerInvariant() : text);
        return tokenized.Length == 0 ? [] : tokenized.Split(' ');
    }

    static int ClosestLength(int hypLen, List<string[]> refs)
    {
        int best = refs[0].Length, bestDiff = Math.Abs(best - hypLen);
        foreach (var r in refs.Skip(1))
        {
            int diff = Math.Abs(r.Length - hypLen);
            if (diff < bestDiff || diff == bestDiff && r.Length < best) (best, bestDiff) = (r.Length, diff);
        }
        return best;
    }

    static Dictionary<string, int> NGrams(string[] words, int n)
    {
        var counts = new Dictionary<string, int>();
        for (int i = 0; i + n <= words.Length; i++)
        {
            var g = string.Join(' ', words, i, n);
            counts[g] = counts.GetValueOrDefault(g) + 1;
        }
        return counts;
    }
}

using TorchSharp;
using Tandem.Native;
using static TorchSharp.torch;

namespace Tandem.Generation;

/// <summary>transformers 4.40 <c>_greedy_search</c> and <c>_sample</c>: one token per row per step (argmax of the
/// processed scores, or a draw from the warped ones); a row that produced EOS gets <c>pad_token_id</c> from then
/// on; stops when every row has finished or the decoder reaches <c>max_length</c>.</summary>
internal static class GreedySearch
{
    /// <summary>Decodes <paramref name="rows"/> rows of <paramref name="session"/>; greedy when
    /// <paramref name="sampler"/> is null. Sequences live on <paramref name="device"/> (the inputs' device) and
    /// start from <paramref name="prompt"/> <c>[rows, promptLen]</c>, else from the decoder start token.</summary>
    public static GenerationOutput Run(IDecodingSession session, long rows, GenerationPlan plan, Sampler? sampler,
        Device device, Tensor? prompt = null)
    {
        var scoresOut = plan.Config.OutputScores ? new List<float[][]>() : null;
        var sequences = prompt is not null
            ? prompt.to(ScalarType.Int64, device, copy: true).DetachFromDisposeScope()         // [rows, promptLen]
            : Scalars.Full([rows, 1], plan.DecoderStart, ScalarType.Int64, device);           // [rows, 1]
        var unfinished = ones(rows, ScalarType.Int64, device);                           // [rows]
        var eos = plan.Eos.Length > 0 ? tensor(plan.Eos.Select(i => (long)i).ToArray(), device: device) : null;
        try
        {
            while (true)
            {
                using var scope = NewDisposeScope();
                var logits = session.NextLogits(sequences);                         // [rows, vocab]
                Diagnostics.PhaseTiming.MarkOnce("first token");
                var scores = plan.Processors.Apply(sequences, logits);              // [rows, vocab]
                Tensor next;                                                        // [rows]
                if (sampler is null) next = scores.argmax(-1);
                else
                {
                    scores = plan.Warpers.Apply(sequences, scores);
                    next = sampler.Sample(scores);
                }
                scoresOut?.Add(ToRows(scores));
                var nextUnfinished = unfinished;
                if (eos is not null)
                {
                    next = next.mul(unfinished).Add(Scalars.RSub(1, unfinished).Mul((long)plan.Pad!.Value));
                    var hitEos = (next.unsqueeze(1) == eos).any(1).to(ScalarType.Int64); // [rows]
                    nextUnfinished = unfinished.mul(Scalars.RSub(1, hitEos)).MoveToOuterDisposeScope();
                }
                var grown = cat([sequences, next.unsqueeze(1)], 1).MoveToOuterDisposeScope(); // [rows, curLen + 1]
                sequences.Dispose();
                sequences = grown;
                if (!ReferenceEquals(nextUnfinished, unfinished))
                {
                    unfinished.Dispose();
                    unfinished = nextUnfinished;
                }
                if (sequences.size(1) >= plan.MaxLength || unfinished.max().item<long>() == 0) break;
            }
            return new GenerationOutput(LogitsProcessors.ScoreOps.Rows(sequences), scoresOut, null, null);
        }
        finally
        {
            sequences.Dispose();
            unfinished.Dispose();
            eos?.Dispose();
        }
    }

    /// <summary>A float <c>[rows, vocab]</c> tensor as arrays.</summary>
    internal static float[][] ToRows(Tensor scores)
    {
        long rows = scores.size(0), vocab = scores.size(1);
        using var scope = NewDisposeScope();
        var flat = scores.to(ScalarType.Float32, CPU).contiguous().data<float>().ToArray();
        var result = new float[rows][];
        for (long r = 0; r < rows; r++) result[r] = flat.AsSpan((int)(r * vocab), (int)vocab).ToArray();
        return result;
    }
}

using TorchSharp;
using Tandem.Native;
using static TorchSharp.torch;

namespace Tandem.Generation;

/// <summary>transformers 4.40 <c>_beam_search</c>: rows = batch x num_beams; each step log-softmaxes the logits,
/// applies the processors, adds the running beam scores and keeps the top <c>max(2, 1 + #eos) x num_beams</c>
/// candidates per input for the <see cref="BeamScorer"/>; beam 0 starts at score 0, the others at -1e9.</summary>
internal static class BeamSearch
{
    /// <summary>Decodes <paramref name="batch"/> inputs; the session must already hold one row per input.
    /// Tensors handed to the session live on <paramref name="device"/> (the inputs' device). Every beam of input i
    /// starts from row i of <paramref name="prompt"/> <c>[batch, promptLen]</c>, else from the decoder start token.</summary>
    public static GenerationOutput Run(IDecodingSession session, int batch, GenerationPlan plan, Device device, Tensor? prompt = null)
    {
        int beams = plan.Config.NumBeams, rows = batch * beams;
        using (var scope = NewDisposeScope())
            session.Reorder(Scalars.Arange(0, batch, device: device).repeat_interleave(beams)); // [rows]
        var scorer = new BeamScorer(batch, plan);
        var scoresOut = plan.Config.OutputScores ? new List<float[][]>() : null;
        var sequences = StartingRows(prompt, rows, beams, plan);
        var beamIndices = Enumerable.Range(0, rows).Select(_ => Array.Empty<long>()).ToArray();
        var beamScores = Enumerable.Range(0, rows).Select(r => r % beams == 0 ? 0f : -1e9f).ToArray();
        int k = Math.Max(2, 1 + plan.Eos.Length) * beams;
        while (true)
        {
            using var scope = NewDisposeScope();
            int curLen = sequences[0].Length;
            var input = tensor(sequences.SelectMany(s => s).ToArray(), [rows, curLen], device: device); // [rows, curLen]
            var logits = session.NextLogits(input);                                    // [rows, vocab]
            Diagnostics.PhaseTiming.MarkOnce("first token");
            var logProbs = logits.log_softmax(-1);                         // [rows, vocab]
            var processed = plan.Processors.Apply(input, logProbs);                     // [rows, vocab]
            scoresOut?.Add(GreedySearch.ToRows(processed));
            var total = processed.Add(tensor(beamScores, device: device).unsqueeze(1));                  // [rows, vocab]
            long vocab = total.size(1);
            var perInput = total.reshape(batch, beams * vocab);                         // [batch, beams * vocab]
            var (topScores, topIds) = perInput.topk(k, 1, largest: true, sorted: true); // [batch, k] each
            var ids = topIds.cpu().data<long>().ToArray();
            var step = scorer.Process(sequences, topScores.cpu().data<float>().ToArray(),
                ids.Select(i => i % vocab).ToArray(), ids.Select(i => i / vocab).ToArray(), k, beamIndices);
            sequences = Enumerable.Range(0, rows)
                .Select(r => (long[])[.. sequences[step.Rows[r]], step.Tokens[r]]).ToArray();
            beamIndices = Enumerable.Range(0, rows)
                .Select(r => (long[])[.. beamIndices[step.Rows[r]], step.Rows[r]]).ToArray();
            beamScores = step.Scores;
            if (scorer.IsDone || sequences[0].Length >= plan.MaxLength) break;
            session.Reorder(tensor(step.Rows, device: device));
        }
        return scorer.Finalize(sequences, beamScores, beamIndices, scoresOut);
    }

    /// <summary>Each row's decoder prompt: its input's row of <paramref name="prompt"/>, else the decoder start token.</summary>
    static long[][] StartingRows(Tensor? prompt, int rows, int beams, GenerationPlan plan)
    {
        if (prompt is null) return Enumerable.Range(0, rows).Select(_ => new long[] { plan.DecoderStart }).ToArray();
        using var scope = NewDisposeScope();
        var flat = prompt.to(ScalarType.Int64, CPU).contiguous().data<long>().ToArray();
        int len = (int)prompt.size(1);
        return Enumerable.Range(0, rows).Select(r => flat.AsSpan(r / beams * len, len).ToArray()).ToArray();
    }
}

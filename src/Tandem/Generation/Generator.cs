using TorchSharp;
using Tandem.Native;

namespace Tandem.Generation;

/// <summary>Text generation with transformers 4.40 semantics, for encoder-decoder models and decoder-only LMs:
/// greedy search, multinomial sampling and beam search, chosen by <see cref="GenerationConfig"/> as transformers
/// does.</summary>
public static class Generator
{
    /// <summary>Runs the encoder once and decodes from <c>decoder_start_token_id</c> for every input; a decoder-only
    /// LM decodes from the inputs themselves (<see cref="IGenerativeModel.DecodesFromInputs"/>).</summary>
    /// <param name="model">The model; its session is disposed before returning.</param>
    /// <param name="inputIds">Source token ids <c>[batch, srcLen]</c>, int64.</param>
    /// <param name="attentionMask">Source padding mask <c>[batch, srcLen]</c> (1 = token, 0 = pad).</param>
    /// <param name="config">Options; validated first (a <see cref="TandemException"/> names a bad one).</param>
    /// <param name="useCache">False makes the session recompute the whole prefix at every step (for checks).</param>
    /// <returns>Sequences (starting with the decoder start token, or with the prompt), and scores as
    /// <paramref name="config"/> asks.</returns>
    public static GenerationOutput Generate(IGenerativeModel model, torch.Tensor inputIds, torch.Tensor attentionMask,
        GenerationConfig config, bool useCache = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputIds);
        ArgumentNullException.ThrowIfNull(attentionMask);
        ArgumentNullException.ThrowIfNull(config);
        if (inputIds.dim() != 2)
            throw new TandemException($"input_ids must be [batch, srcLen] (got {inputIds.dim()} dimensions).");
        var prompt = model.DecodesFromInputs ? inputIds : null;
        var plan = GenerationPlan.Resolve(config, (int?)prompt?.size(1));
        int batch = (int)inputIds.size(0);
        using var noGrad = torch.no_grad();
        using var session = model.StartDecoding(inputIds, attentionMask, useCache);
        Diagnostics.PhaseTiming.Mark("encoder ran");
        // Cached steps of one to four rows from here on run libtorch on one thread (Modeling.DecodingThreads); not for
        // a decoder-only LM, whose first step reads the whole prompt.
        using var threads = useCache && prompt is null
            ? Modeling.DecodingThreads.Enter((long)batch * plan.RowsPerInput) : null;
        if (config.NumBeams > 1) return BeamSearch.Run(session, batch, plan, inputIds.device, prompt);
        int copies = plan.RowsPerInput;
        if (copies > 1)
        {
            using var scope = torch.NewDisposeScope();
            session.Reorder(Scalars.Arange(0, batch, device: inputIds.device).repeat_interleave(copies)); // [batch * copies]
        }
        using var sampler = config.DoSample ? Sampler.Create(config.Seed) : null;
        using var rows = prompt?.repeat_interleave(copies, 0);                                 // [batch * copies, promptLen]
        return GreedySearch.Run(session, (long)batch * copies, plan, sampler, inputIds.device, rows);
    }
}

using Tandem.Generation.LogitsProcessors;

namespace Tandem.Generation;

/// <summary>A <see cref="GenerationConfig"/> resolved for one call, as transformers' generate prepares it:
/// absolute lengths (counted from the start of the decoder prompt: the start token, length 1, for an
/// encoder-decoder; the left-padded input for a decoder-only LM), token ids, processors and warpers.</summary>
internal sealed class GenerationPlan
{
    private GenerationPlan(GenerationConfig config)
    {
        Config = config;
    }

    public GenerationConfig Config { get; }
    public int MaxLength { get; private init; }
    public int MinLength { get; private init; }
    /// <summary>Length of the decoder prompt every row starts from.</summary>
    public int PromptLength { get; private init; }
    /// <summary>The token every row starts from when there is no prompt.</summary>
    public int DecoderStart { get; private init; }
    public int[] Eos { get; private init; } = [];
    public int? Pad { get; private init; }
    /// <summary>Decoder rows per input: the beams, or the samples drawn for each input (else 1).</summary>
    public int RowsPerInput => RowsPerInputOf(Config);

    private static int RowsPerInputOf(GenerationConfig c) => c.NumBeams > 1 ? c.NumBeams : c.DoSample ? c.NumReturnSequences : 1;
    public LogitsProcessorList Processors { get; private init; } = new([]);
    public LogitsProcessorList Warpers { get; private init; } = new([]);

    /// <summary>Validates <paramref name="config"/> and resolves it for a decoder prompt of
    /// <paramref name="promptLength"/> tokens (null: the decoder start token alone).</summary>
    public static GenerationPlan Resolve(GenerationConfig config, int? promptLength = null)
    {
        config.Validate();
        int prompt = promptLength ?? 1;
        string what = promptLength is null ? "the decoder start token" : "the prompt";
        int maxLength = config.MaxNewTokens is int mnt ? prompt + mnt : config.MaxLength;
        if (maxLength <= prompt)
            throw new TandemException(
                $"max_length ({maxLength}) must be greater than the decoder prompt length ({prompt}, {what}): " +
                "nothing would be generated. Raise max_length or set max_new_tokens.");
        int minLength = config.MinNewTokens is int mn ? prompt + mn : config.MinLength;
        int start = promptLength is not null ? -1 : config.DecoderStartTokenId ?? config.BosTokenId ?? throw new TandemException(
            "decoder_start_token_id is not set (nor bos_token_id): set it in generation_config.json or in the " +
            "model config; an encoder-decoder model needs it to start decoding.");
        var eos = config.EosTokenId?.ToArray() ?? [];
        int? pad = config.PadTokenId ?? (eos.Length > 0 ? eos[0] : null);
        return new GenerationPlan(config)
        {
            MaxLength = maxLength,
            MinLength = minLength,
            PromptLength = prompt,
            DecoderStart = start,
            Eos = eos,
            Pad = pad,
            Processors = new(BuildProcessors(config, maxLength, minLength, eos)),
            Warpers = new(config.DoSample ? BuildWarpers(config) : []),
        };
    }

    /// <summary>transformers 4.40 <c>_get_logits_processor</c> order, for the options Tandem supports.</summary>
    private static List<ILogitsProcessor> BuildProcessors(GenerationConfig c, int maxLength, int minLength, int[] eos)
    {
        var list = new List<ILogitsProcessor>();
        if (c.RepetitionPenalty != 1.0) list.Add(new RepetitionPenaltyLogitsProcessor(c.RepetitionPenalty));
        if (c.NoRepeatNgramSize > 0) list.Add(new NoRepeatNGramLogitsProcessor(c.NoRepeatNgramSize));
        if (c.BadWordsIds is { } bad) list.Add(new NoBadWordsLogitsProcessor(bad, eos));
        if (minLength > 0 && eos.Length > 0) list.Add(new MinLengthLogitsProcessor(minLength, eos));
        if (c.PrefixAllowedTokens is { } allowed)
            list.Add(new PrefixConstrainedLogitsProcessor(allowed, RowsPerInputOf(c)));
        if (c.ForcedBosTokenId is int bos) list.Add(new ForcedBosTokenLogitsProcessor(bos));
        if (c.ForcedEosTokenId is { } feos) list.Add(new ForcedEosTokenLogitsProcessor(maxLength, feos));
        return list;
    }

    /// <summary>transformers 4.40 <c>_get_logits_warper</c> order (sampling only).</summary>
    private static List<ILogitsProcessor> BuildWarpers(GenerationConfig c)
    {
        var list = new List<ILogitsProcessor>();
        if (c.Temperature != 1.0) list.Add(new TemperatureLogitsWarper(c.Temperature));
        if (c.TopK != 0) list.Add(new TopKLogitsWarper(c.TopK));
        if (c.TopP < 1.0) list.Add(new TopPLogitsWarper(c.TopP));
        return list;
    }
}

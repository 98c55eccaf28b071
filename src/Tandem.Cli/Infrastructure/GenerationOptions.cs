using System.CommandLine;
using Tandem.Generation;

namespace Tandem.Cli.Infrastructure;

/// <summary>Every <see cref="GenerationConfig"/> option as a kebab-case flag; flags given override the model
/// folder's <c>generation_config.json</c>.</summary>
internal sealed class GenerationOptions
{
    readonly Option<int?> _maxLength = new("--max-length") { Description = "Longest output incl. the decoder start token" };
    readonly Option<int?> _maxNewTokens = new("--max-new-tokens") { Description = "Most tokens to generate (overrides --max-length)" };
    readonly Option<int?> _minLength = new("--min-length") { Description = "Shortest output incl. the decoder start token (EOS suppressed before)" };
    readonly Option<int?> _minNewTokens = new("--min-new-tokens") { Description = "Fewest tokens to generate" };
    readonly Option<bool?> _doSample = new("--do-sample") { Description = "Sample instead of greedy/beam search" };
    readonly Option<int?> _numBeams = new("--num-beams") { Description = "Beam width (1 = greedy)" };
    readonly Option<int?> _numReturn = new("--num-return-sequences") { Description = "Sequences returned per input (≤ beams)" };
    readonly Option<double?> _lengthPenalty = new("--length-penalty") { Description = "Beam score = logprob / length^penalty" };
    readonly Option<string?> _earlyStopping = new("--early-stopping") { Description = "Beam stopping: true, false or never" };
    readonly Option<double?> _temperature = new("--temperature") { Description = "Sampling temperature (> 0)" };
    readonly Option<int?> _topK = new("--top-k") { Description = "Sample among the k most likely tokens" };
    readonly Option<double?> _topP = new("--top-p") { Description = "Nucleus sampling mass in (0, 1]" };
    readonly Option<double?> _repetitionPenalty = new("--repetition-penalty") { Description = "Penalty > 1 for tokens already generated" };
    readonly Option<int?> _noRepeatNgram = new("--no-repeat-ngram-size") { Description = "Forbid repeating n-grams of this size" };
    readonly Option<string?> _badWords = new("--bad-words-ids") { Description = "Forbidden token sequences: ids space separated, sequences separated by ';'" };
    readonly Option<int?> _forcedBos = new("--forced-bos-token-id") { Description = "Token forced first after the decoder start" };
    readonly Option<int[]?> _forcedEos = new("--forced-eos-token-id") { Description = "Token(s) forced when max length is reached", AllowMultipleArgumentsPerToken = true };
    readonly Option<int[]?> _eos = new("--eos-token-id") { Description = "End-of-sequence id(s)", AllowMultipleArgumentsPerToken = true };
    readonly Option<int?> _pad = new("--pad-token-id") { Description = "Padding id after EOS" };
    readonly Option<int?> _start = new("--decoder-start-token-id") { Description = "First decoder token" };
    readonly Option<long?> _seed = new("--seed") { Description = "Random seed for sampling" };

    public IEnumerable<Option> All => [_maxLength, _maxNewTokens, _minLength, _minNewTokens, _doSample, _numBeams, _numReturn,
        _lengthPenalty, _earlyStopping, _temperature, _topK, _topP, _repetitionPenalty, _noRepeatNgram, _badWords, _forcedBos,
        _forcedEos, _eos, _pad, _start, _seed];

    /// <summary>A copy of <paramref name="defaults"/> with the given flags applied, validated.</summary>
    public GenerationConfig Apply(ParseResult parse, GenerationConfig defaults)
    {
        var c = GenerationConfig.Parse(defaults.ToJson());
        if (parse.GetValue(_maxLength) is { } ml) c.MaxLength = ml;
        if (parse.GetValue(_maxNewTokens) is { } mnt) c.MaxNewTokens = mnt;
        if (parse.GetValue(_minLength) is { } mil) c.MinLength = mil;
        if (parse.GetValue(_minNewTokens) is { } mint) c.MinNewTokens = mint;
        if (parse.GetValue(_doSample) is { } ds) c.DoSample = ds;
        if (parse.GetValue(_numBeams) is { } nb) c.NumBeams = nb;
        if (parse.GetValue(_numReturn) is { } nr) c.NumReturnSequences = nr;
        if (parse.GetValue(_lengthPenalty) is { } lp) c.LengthPenalty = lp;
        if (parse.GetValue(_earlyStopping) is { } es)
            c.EarlyStopping = es.ToLowerInvariant() switch
            {
                "true" => EarlyStopping.True,
                "false" => EarlyStopping.False,
                "never" => EarlyStopping.Never,
                _ => throw new TandemException($"--early-stopping must be true, false or never, got '{es}'"),
            };
        if (parse.GetValue(_temperature) is { } t) c.Temperature = t;
        if (parse.GetValue(_topK) is { } tk) c.TopK = tk;
        if (parse.GetValue(_topP) is { } tp) c.TopP = tp;
        if (parse.GetValue(_repetitionPenalty) is { } rp) c.RepetitionPenalty = rp;
        if (parse.GetValue(_noRepeatNgram) is { } ng) c.NoRepeatNgramSize = ng;
        if (parse.GetValue(_badWords) is { } bw)
            c.BadWordsIds = bw.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(seq => (IReadOnlyList<int>)TextSources.ParseIds(seq, "--bad-words-ids").Select(x => (int)x).ToList()).ToList();
        if (parse.GetValue(_forcedBos) is { } fb) c.ForcedBosTokenId = fb;
        if (parse.GetValue(_forcedEos) is { Length: > 0 } fe) c.ForcedEosTokenId = fe;
        if (parse.GetValue(_eos) is { Length: > 0 } eos) c.EosTokenId = eos;
        if (parse.GetValue(_pad) is { } pad) c.PadTokenId = pad;
        if (parse.GetValue(_start) is { } st) c.DecoderStartTokenId = st;
        if (parse.GetValue(_seed) is { } seed) c.Seed = seed;
        c.Validate();
        return c;
    }
}

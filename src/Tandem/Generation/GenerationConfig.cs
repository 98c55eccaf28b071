using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Tandem.Generation;

/// <summary>
/// Generation options with transformers' names and defaults (<c>generation_config.json</c>, transformers 4.40).
/// Lengths count the decoder sequence including the decoder start token, as transformers does for
/// encoder-decoder models; <see cref="MaxNewTokens"/> and <see cref="MinNewTokens"/> count generated tokens only
/// and override <see cref="MaxLength"/> and <see cref="MinLength"/>.
/// </summary>
public sealed partial class GenerationConfig
{
    private static readonly JsonSerializerOptions ReadOptions = new()
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        TypeInfoResolver = Checkpoints.ConfigJson.Resolver,
    };
    private static readonly JsonSerializerOptions WriteOptions = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        TypeInfoResolver = Checkpoints.ConfigJson.Resolver,
    };

    /// <summary>Largest decoder length including the decoder start token (<c>max_length</c>, default 20).</summary>
    [JsonPropertyName("max_length")] public int MaxLength { get; set; } = 20;

    /// <summary>Largest number of generated tokens (<c>max_new_tokens</c>); overrides <see cref="MaxLength"/>.</summary>
    [JsonPropertyName("max_new_tokens")] public int? MaxNewTokens { get; set; }

    /// <summary>EOS is forbidden while the decoder length is below this (<c>min_length</c>, default 0).</summary>
    [JsonPropertyName("min_length")] public int MinLength { get; set; }

    /// <summary>Smallest number of generated tokens before EOS (<c>min_new_tokens</c>); overrides
    /// <see cref="MinLength"/>.</summary>
    [JsonPropertyName("min_new_tokens")] public int? MinNewTokens { get; set; }

    /// <summary>Multinomial sampling instead of greedy choice (<c>do_sample</c>).</summary>
    [JsonPropertyName("do_sample")] public bool DoSample { get; set; }

    /// <summary>Beam count (<c>num_beams</c>, default 1 = no beam search).</summary>
    [JsonPropertyName("num_beams")] public int NumBeams { get; set; } = 1;

    /// <summary>Sequences returned per input (<c>num_return_sequences</c>, default 1).</summary>
    [JsonPropertyName("num_return_sequences")] public int NumReturnSequences { get; set; } = 1;

    /// <summary>Beam scores are <c>sum_logprobs / generated_len ** length_penalty</c> (<c>length_penalty</c>,
    /// default 1.0).</summary>
    [JsonPropertyName("length_penalty")] public double LengthPenalty { get; set; } = 1.0;

    /// <summary>Beam search stopping rule (<c>early_stopping</c>, default false).</summary>
    [JsonPropertyName("early_stopping")] public EarlyStopping EarlyStopping { get; set; } = EarlyStopping.False;

    /// <summary>Sampling temperature (<c>temperature</c>, default 1.0).</summary>
    [JsonPropertyName("temperature")] public double Temperature { get; set; } = 1.0;

    /// <summary>Sampling keeps the k most likely tokens (<c>top_k</c>, default 50; 0 = off).</summary>
    [JsonPropertyName("top_k")] public int TopK { get; set; } = 50;

    /// <summary>Nucleus sampling mass (<c>top_p</c>, default 1.0 = off).</summary>
    [JsonPropertyName("top_p")] public double TopP { get; set; } = 1.0;

    /// <summary>Penalty on tokens already in the decoder sequence (<c>repetition_penalty</c>, 1.0 = off).</summary>
    [JsonPropertyName("repetition_penalty")] public double RepetitionPenalty { get; set; } = 1.0;

    /// <summary>N-grams of this size may occur only once (<c>no_repeat_ngram_size</c>, 0 = off).</summary>
    [JsonPropertyName("no_repeat_ngram_size")] public int NoRepeatNgramSize { get; set; }

    /// <summary>Token sequences that may not be generated (<c>bad_words_ids</c>).</summary>
    [JsonPropertyName("bad_words_ids")] public IReadOnlyList<IReadOnlyList<int>>? BadWordsIds { get; set; }

    /// <summary>Token forced as the first generated token (<c>forced_bos_token_id</c>).</summary>
    [JsonPropertyName("forced_bos_token_id")] public int? ForcedBosTokenId { get; set; }

    /// <summary>Token(s) forced when the next token is the last one allowed (<c>forced_eos_token_id</c>).</summary>
    [JsonPropertyName("forced_eos_token_id"), JsonConverter(typeof(IntOrIntListJsonConverter))]
    public IReadOnlyList<int>? ForcedEosTokenId { get; set; }

    /// <summary>End-of-sequence token(s) (<c>eos_token_id</c>, an integer or a list in JSON).</summary>
    [JsonPropertyName("eos_token_id"), JsonConverter(typeof(IntOrIntListJsonConverter))]
    public IReadOnlyList<int>? EosTokenId { get; set; }

    /// <summary>Padding token written after EOS (<c>pad_token_id</c>); falls back to the first EOS id.</summary>
    [JsonPropertyName("pad_token_id")] public int? PadTokenId { get; set; }

    /// <summary>First decoder token (<c>decoder_start_token_id</c>); falls back to <see cref="BosTokenId"/>.</summary>
    [JsonPropertyName("decoder_start_token_id")] public int? DecoderStartTokenId { get; set; }

    /// <summary>Beginning-of-sequence token (<c>bos_token_id</c>).</summary>
    [JsonPropertyName("bos_token_id")] public int? BosTokenId { get; set; }

    /// <summary>Return the processed per-step scores (<c>output_scores</c>).</summary>
    [JsonPropertyName("output_scores")] public bool OutputScores { get; set; }

    /// <summary>transformers' <c>return_dict_in_generate</c>; kept for round trip (Tandem always returns a
    /// <see cref="GenerationOutput"/>).</summary>
    [JsonPropertyName("return_dict_in_generate")] public bool ReturnDictInGenerate { get; set; }

    /// <summary>Tandem extra: seed of the sampling generator (<c>seed</c>); null = torch's global generator.</summary>
    [JsonPropertyName("seed")] public long? Seed { get; set; }

    /// <summary>Constrained decoding (transformers' <c>prefix_allowed_tokens_fn</c>): which tokens may follow each
    /// row's prefix; null = none. Code only: it is not read from or written to <c>generation_config.json</c>, and a
    /// copy made through JSON does not keep it.</summary>
    [JsonIgnore] public PrefixAllowedTokensFn? PrefixAllowedTokens { get; set; }

    /// <summary>Keys this class does not model (e.g. <c>transformers_version</c>, <c>_from_model_config</c>),
    /// kept so that <see cref="Save"/> writes them back.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>Defaults made from a model's special ids, as transformers does without a generation_config.json.</summary>
    public static GenerationConfig FromSpecialIds(int? decoderStart, int? pad, int? eos) => new()
    {
        DecoderStartTokenId = decoderStart,
        PadTokenId = pad,
        EosTokenId = eos is { } e ? [e] : null,
    };

    /// <summary>Reads <c>generation_config.json</c>.</summary>
    public static GenerationConfig Load(string path) => Parse(File.ReadAllText(path));

    /// <summary>Reads generation options from JSON text.</summary>
    public static GenerationConfig Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<GenerationConfig>(json, ReadOptions)
                ?? throw new TandemException("The generation config JSON is null.");
        }
        catch (JsonException e)
        {
            throw new TandemException($"Invalid generation config JSON: {e.Message}", e);
        }
    }

    /// <summary>Writes a <c>generation_config.json</c> file: like transformers, only values that differ from the
    /// defaults, plus every unknown key read, keys sorted.</summary>
    public void Save(string path) => File.WriteAllText(path, ToJson() + "\n");

    /// <summary>The JSON that <see cref="Save"/> writes.</summary>
    public string ToJson()
    {
        var mine = JsonSerializer.SerializeToNode(this, WriteOptions)!.AsObject();
        var defaults = JsonSerializer.SerializeToNode(new GenerationConfig(), WriteOptions)!.AsObject();
        var sorted = new JsonObject();
        foreach (var (key, value) in mine.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            bool isDefault = defaults.TryGetPropertyValue(key, out var d) && JsonNode.DeepEquals(d, value);
            if (!isDefault) sorted[key] = value?.DeepClone();
        }
        return sorted.ToJsonString(WriteOptions);
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;
using Tandem.Modeling;

namespace Tandem.Models.Bert;

/// <summary>
/// The configuration of a BERT model, field for field as transformers' <c>BertConfig</c> writes <c>config.json</c>.
/// Defaults are those of <c>bert-base-uncased</c>. Keys Tandem does not use are kept and written back unchanged.
/// Families with BERT's architecture and file (RoBERTa) derive from it and change the defaults and accepted types.
/// </summary>
public class BertConfig : IModelConfig
{
    /// <summary>"bert" (a derived family: its own type).</summary>
    [JsonPropertyName("model_type")] public string ModelType { get; set; } = "bert";
    /// <summary>Class names of the checkpoint's model, e.g. <c>["BertModel"]</c>.</summary>
    [JsonPropertyName("architectures")] public List<string>? Architectures { get; set; }
    /// <summary>Size of the vocabulary (rows of the word embedding matrix).</summary>
    [JsonPropertyName("vocab_size")] public int VocabSize { get; set; } = 30522;
    /// <summary>Width of every hidden state.</summary>
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; set; } = 768;
    /// <summary>Number of Transformer layers.</summary>
    [JsonPropertyName("num_hidden_layers")] public int NumHiddenLayers { get; set; } = 12;
    /// <summary>Attention heads per layer; must divide <see cref="HiddenSize"/>.</summary>
    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; set; } = 12;
    /// <summary>Width of the feed-forward layer.</summary>
    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; set; } = 3072;
    /// <summary>Feed-forward activation, a name of transformers' ACT2FN: gelu (exact), gelu_new / gelu_pytorch_tanh (tanh approximation), relu, silu, ...</summary>
    [JsonPropertyName("hidden_act")] public string HiddenAct { get; set; } = "gelu";
    /// <summary>Dropout on embeddings and sub-layer outputs.</summary>
    [JsonPropertyName("hidden_dropout_prob")] public double HiddenDropoutProb { get; set; } = 0.1;
    /// <summary>Dropout on attention probabilities.</summary>
    [JsonPropertyName("attention_probs_dropout_prob")] public double AttentionProbsDropoutProb { get; set; } = 0.1;
    /// <summary>Longest sequence the position embeddings cover.</summary>
    [JsonPropertyName("max_position_embeddings")] public int MaxPositionEmbeddings { get; set; } = 512;
    /// <summary>Number of token types (segments).</summary>
    [JsonPropertyName("type_vocab_size")] public int TypeVocabSize { get; set; } = 2;
    /// <summary>Standard deviation of the normal initialiser.</summary>
    [JsonPropertyName("initializer_range")] public double InitializerRange { get; set; } = 0.02;
    /// <summary>Epsilon of every LayerNorm.</summary>
    [JsonPropertyName("layer_norm_eps")] public double LayerNormEps { get; set; } = 1e-12;
    /// <summary>Id of the padding token.</summary>
    [JsonPropertyName("pad_token_id")] public int? PadTokenId { get; set; } = 0;
    /// <summary>Id of the beginning-of-sequence token, if any.</summary>
    [JsonPropertyName("bos_token_id")] public int? BosTokenId { get; set; }
    /// <summary>Id of the end-of-sequence token, if any.</summary>
    [JsonPropertyName("eos_token_id")] public int? EosTokenId { get; set; }
    /// <summary>Only "absolute" is supported.</summary>
    [JsonPropertyName("position_embedding_type")] public string PositionEmbeddingType { get; set; } = "absolute";
    /// <summary>Adds a causal (left-to-right) mask to self-attention.</summary>
    [JsonPropertyName("is_decoder")] public bool IsDecoder { get; set; }
    /// <summary>Adds a cross-attention block to every layer (requires <see cref="IsDecoder"/>).</summary>
    [JsonPropertyName("add_cross_attention")] public bool AddCrossAttention { get; set; }
    /// <summary>Whether the LM head's output matrix is the word embedding matrix.</summary>
    [JsonPropertyName("tie_word_embeddings")] public bool TieWordEmbeddings { get; set; } = true;
    /// <summary>The dtype the weights were saved in, e.g. "float32".</summary>
    [JsonPropertyName("torch_dtype")] public string? TorchDtype { get; set; }

    /// <summary>Every other key of <c>config.json</c>, kept so that saving writes it back.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }

    internal static readonly JsonSerializerOptions Json = Checkpoints.ConfigJson.Options;

    /// <summary>Reads <c>config.json</c> from a checkpoint folder (or a path to the file itself) and validates it.</summary>
    /// <exception cref="TandemException">Missing file, invalid JSON, or a bad value (the message names the key).</exception>
    public static BertConfig Load(string dirOrFile) => Load<BertConfig>(dirOrFile);

    /// <summary>Parses config JSON text; <paramref name="source"/> names it in errors.</summary>
    public static BertConfig Parse(string json, string source = "config.json") => Parse<BertConfig>(json, source);

    /// <summary>Reads <c>config.json</c> of a folder (or the file itself) as <typeparamref name="T"/> and validates it.</summary>
    protected static T Load<T>(string dirOrFile) where T : BertConfig
    {
        var path = Checkpoints.ConfigJson.PathOf(dirOrFile);
        return Parse<T>(File.ReadAllText(path), path);
    }

    /// <summary>Parses config JSON text as <typeparamref name="T"/>; <paramref name="source"/> names it in errors.</summary>
    protected static T Parse<T>(string json, string source) where T : BertConfig
    {
        var config = Checkpoints.ConfigJson.Parse<T>(json, source);
        config.Validate(source);
        return config;
    }

    /// <summary>Checks every value, naming the key at fault.</summary>
    public virtual void Validate(string source = "config.json")
    {
        void Positive(string key, int v) { if (v <= 0) throw new TandemException($"{source}: '{key}' must be positive, got {v}"); }
        if (!AcceptedModelTypes.Contains(ModelType))
            throw new TandemException($"{source}: 'model_type' is '{ModelType}'; this loader reads {FamilyName} checkpoints ({string.Join(", ", AcceptedModelTypes.Select(t => $"\"{t}\""))})");
        Positive("vocab_size", VocabSize);
        Positive("hidden_size", HiddenSize);
        Positive("num_hidden_layers", NumHiddenLayers);
        Positive("num_attention_heads", NumAttentionHeads);
        Positive("intermediate_size", IntermediateSize);
        Positive("max_position_embeddings", MaxPositionEmbeddings);
        if (TypeVocabSize < 0) throw new TandemException($"{source}: 'type_vocab_size' must be >= 0, got {TypeVocabSize}");
        if (HiddenSize % NumAttentionHeads != 0)
            throw new TandemException($"{source}: 'hidden_size' ({HiddenSize}) is not a multiple of 'num_attention_heads' ({NumAttentionHeads})");
        if (!Modeling.Activations.Names.Contains(HiddenAct))
            throw new TandemException($"{source}: unknown 'hidden_act' \"{HiddenAct}\" (supported: {string.Join(", ", Modeling.Activations.Names)})");
        if (PositionEmbeddingType != "absolute")
            throw new TandemException($"{source}: 'position_embedding_type' \"{PositionEmbeddingType}\" is not supported (only \"absolute\")");
        if (HiddenDropoutProb is < 0 or >= 1) throw new TandemException($"{source}: 'hidden_dropout_prob' must be in [0, 1), got {HiddenDropoutProb}");
        if (AttentionProbsDropoutProb is < 0 or >= 1) throw new TandemException($"{source}: 'attention_probs_dropout_prob' must be in [0, 1), got {AttentionProbsDropoutProb}");
        if (LayerNormEps <= 0) throw new TandemException($"{source}: 'layer_norm_eps' must be positive, got {LayerNormEps}");
        if (PadTokenId is { } pad && (pad < 0 || pad >= VocabSize))
            throw new TandemException($"{source}: 'pad_token_id' {pad} is outside the vocabulary (vocab_size {VocabSize})");
    }

    /// <summary>The <c>model_type</c> values this class reads.</summary>
    protected virtual IReadOnlyList<string> AcceptedModelTypes => ["bert"];

    /// <summary>The family's name in messages.</summary>
    protected virtual string FamilyName => "BERT";

    /// <summary>Width of one attention head.</summary>
    [JsonIgnore] public int HeadDim => HiddenSize / NumAttentionHeads;

    /// <inheritdoc />
    [JsonIgnore] public int NumLayers => NumHiddenLayers;

    /// <inheritdoc />
    [JsonIgnore] public virtual int MaxPositions => MaxPositionEmbeddings;

    /// <summary>The row of the position table kept at zero on initialisation (RoBERTa's padding position); none for BERT.</summary>
    [JsonIgnore] internal virtual int? PositionPaddingIdx => null;

    /// <summary>A deep copy (through JSON) of the same class, for deriving a decoder config from an encoder's.</summary>
    public BertConfig Clone() => (BertConfig)JsonSerializer.Deserialize(ToJson(), GetType(), Json)!;

    IModelConfig IModelConfig.Clone() => Clone();

    /// <inheritdoc />
    public string Describe() =>
        $"{FamilyName}, {NumHiddenLayers} layers, hidden {HiddenSize}, {NumAttentionHeads} heads, intermediate {IntermediateSize}, " +
        $"{HiddenAct}, vocab {VocabSize}, max positions {MaxPositionEmbeddings}";

    /// <summary>The config as transformers writes it.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, GetType(), Json);

    /// <summary>Writes <c>config.json</c> into <paramref name="dir"/>.</summary>
    public void Save(string dir) => Checkpoints.ConfigJson.Save(this, dir);
}

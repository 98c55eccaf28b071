using System.Text.Json;
using System.Text.Json.Serialization;
using Tandem.Checkpoints;
using Tandem.Modeling;

namespace Tandem.Models.Gpt2;

/// <summary>
/// The configuration of a GPT-2 model, field for field as transformers' <c>GPT2Config</c> writes <c>config.json</c>.
/// Defaults are those of <c>gpt2</c> (124M). Keys Tandem does not use (<c>summary_*</c>, <c>n_ctx</c>, ...) are kept
/// and written back unchanged; <c>is_decoder</c>, <c>add_cross_attention</c>, <c>pad_token_id</c> and
/// <c>tie_word_embeddings</c> are written only when they differ from transformers' defaults, as it does.
/// </summary>
public sealed class Gpt2Config : IModelConfig
{
    /// <summary>Always "gpt2".</summary>
    [JsonPropertyName("model_type")] public string ModelType { get; set; } = "gpt2";
    /// <summary>Class names of the checkpoint's model, e.g. <c>["GPT2LMHeadModel"]</c>.</summary>
    [JsonPropertyName("architectures")] public List<string>? Architectures { get; set; }
    /// <summary>Size of the vocabulary (rows of <c>wte</c>).</summary>
    [JsonPropertyName("vocab_size")] public int VocabSize { get; set; } = 50257;
    /// <summary>Longest sequence the position embeddings <c>wpe</c> cover.</summary>
    [JsonPropertyName("n_positions")] public int NPositions { get; set; } = 1024;
    /// <summary>Width of every hidden state.</summary>
    [JsonPropertyName("n_embd")] public int NEmbd { get; set; } = 768;
    /// <summary>Number of blocks.</summary>
    [JsonPropertyName("n_layer")] public int NLayer { get; set; } = 12;
    /// <summary>Attention heads per block; must divide <see cref="NEmbd"/>.</summary>
    [JsonPropertyName("n_head")] public int NHead { get; set; } = 12;
    /// <summary>Width of the feed-forward layer; null means 4 x <see cref="NEmbd"/>.</summary>
    [JsonPropertyName("n_inner")] public int? NInner { get; set; }
    /// <summary>Feed-forward activation, a name of transformers' ACT2FN (GPT-2: gelu_new, the tanh approximation).</summary>
    [JsonPropertyName("activation_function")] public string ActivationFunction { get; set; } = "gelu_new";
    /// <summary>Dropout on the outputs of attention and feed-forward.</summary>
    [JsonPropertyName("resid_pdrop")] public double ResidPdrop { get; set; } = 0.1;
    /// <summary>Dropout on the embeddings.</summary>
    [JsonPropertyName("embd_pdrop")] public double EmbdPdrop { get; set; } = 0.1;
    /// <summary>Dropout on attention probabilities.</summary>
    [JsonPropertyName("attn_pdrop")] public double AttnPdrop { get; set; } = 0.1;
    /// <summary>Epsilon of every LayerNorm.</summary>
    [JsonPropertyName("layer_norm_epsilon")] public double LayerNormEpsilon { get; set; } = 1e-5;
    /// <summary>Standard deviation of the normal initialiser.</summary>
    [JsonPropertyName("initializer_range")] public double InitializerRange { get; set; } = 0.02;
    /// <summary>Divides attention scores by sqrt(head_dim).</summary>
    [JsonPropertyName("scale_attn_weights")] public bool ScaleAttnWeights { get; set; } = true;
    /// <summary>Also divides attention scores of block i by i + 1.</summary>
    [JsonPropertyName("scale_attn_by_inverse_layer_idx")] public bool ScaleAttnByInverseLayerIdx { get; set; }
    /// <summary>transformers' fp16 upcast of the attention product (Mistral-style training); not supported.</summary>
    [JsonPropertyName("reorder_and_upcast_attn")] public bool ReorderAndUpcastAttn { get; set; }
    /// <summary>Adds cross-attention (<c>crossattention</c>, <c>ln_cross_attn</c>) to every block: a seq2seq decoder.</summary>
    [JsonPropertyName("add_cross_attention"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool AddCrossAttention { get; set; }
    /// <summary>Marks a decoder (GPT-2 is causal either way; transformers sets it for seq2seq decoders).</summary>
    [JsonPropertyName("is_decoder"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool IsDecoder { get; set; }
    /// <summary>Id of <c>&lt;|endoftext|&gt;</c> as beginning of sequence.</summary>
    [JsonPropertyName("bos_token_id")] public int? BosTokenId { get; set; } = 50256;
    /// <summary>Id of <c>&lt;|endoftext|&gt;</c> as end of sequence.</summary>
    [JsonPropertyName("eos_token_id")] public int? EosTokenId { get; set; } = 50256;
    /// <summary>Padding id: GPT-2 has none (null).</summary>
    [JsonPropertyName("pad_token_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? PadTokenId { get; set; }
    /// <summary>Whether <c>lm_head</c> is <c>wte</c>; null (absent) means true.</summary>
    [JsonPropertyName("tie_word_embeddings"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? TieWordEmbeddingsSetting { get; set; }
    /// <summary>The dtype the weights were saved in, e.g. "float32".</summary>
    [JsonPropertyName("torch_dtype")] public string? TorchDtype { get; set; }

    /// <summary>Every other key of <c>config.json</c>, kept so that saving writes it back.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>Whether <c>lm_head.weight</c> is <c>transformer.wte.weight</c> (the default).</summary>
    [JsonIgnore] public bool TieWordEmbeddings => TieWordEmbeddingsSetting ?? true;

    /// <summary>Width of the feed-forward layer.</summary>
    [JsonIgnore] public int InnerSize => NInner ?? 4 * NEmbd;

    /// <summary>Width of one attention head.</summary>
    [JsonIgnore] public int HeadDim => NEmbd / NHead;

    /// <inheritdoc />
    [JsonIgnore] public int HiddenSize => NEmbd;

    /// <inheritdoc />
    [JsonIgnore] public int NumLayers => NLayer;

    /// <inheritdoc />
    [JsonIgnore] public int MaxPositions => NPositions;

    IModelConfig IModelConfig.Clone() => Clone();

    /// <inheritdoc />
    public string Describe() =>
        $"GPT-2, {NLayer} layers, hidden {NEmbd}, {NHead} heads, inner {InnerSize}, {ActivationFunction}, vocab {VocabSize}, " +
        $"positions {NPositions}{(AddCrossAttention ? ", cross-attention" : "")}";

    /// <summary>Reads <c>config.json</c> from a checkpoint folder (or a path to the file itself) and validates it.</summary>
    /// <exception cref="TandemException">Missing file, invalid JSON, or a bad value (the message names the key).</exception>
    public static Gpt2Config Load(string dirOrFile)
    {
        var path = ConfigJson.PathOf(dirOrFile);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses config JSON text; <paramref name="source"/> names it in errors.</summary>
    public static Gpt2Config Parse(string json, string source = "config.json")
    {
        var config = ConfigJson.Parse<Gpt2Config>(json, source);
        config.Validate(source);
        return config;
    }

    /// <summary>Checks every value, naming the key at fault.</summary>
    public void Validate(string source = "config.json")
    {
        void Positive(string key, int v) { if (v <= 0) throw new TandemException($"{source}: '{key}' must be positive, got {v}"); }
        void Probability(string key, double v) { if (v is < 0 or >= 1) throw new TandemException($"{source}: '{key}' must be in [0, 1), got {v}"); }
        void Id(string key, int? id)
        {
            if (id is { } i && (i < 0 || i >= VocabSize))
                throw new TandemException($"{source}: '{key}' {i} is outside the vocabulary (vocab_size {VocabSize})");
        }
        if (ModelType != "gpt2")
            throw new TandemException($"{source}: 'model_type' is '{ModelType}'; this loader reads GPT-2 checkpoints (\"gpt2\")");
        Positive("vocab_size", VocabSize);
        Positive("n_positions", NPositions);
        Positive("n_embd", NEmbd);
        Positive("n_layer", NLayer);
        Positive("n_head", NHead);
        if (NInner is { } inner) Positive("n_inner", inner);
        if (NEmbd % NHead != 0)
            throw new TandemException($"{source}: 'n_embd' ({NEmbd}) is not a multiple of 'n_head' ({NHead})");
        if (!Modeling.Activations.Names.Contains(ActivationFunction))
            throw new TandemException($"{source}: unknown 'activation_function' \"{ActivationFunction}\" (supported: {string.Join(", ", Modeling.Activations.Names)})");
        if (ReorderAndUpcastAttn)
            throw new TandemException($"{source}: 'reorder_and_upcast_attn' true is not supported (an fp16 training detail of transformers' eager attention); set it to false, the model computes the same in float32");
        Probability("resid_pdrop", ResidPdrop);
        Probability("embd_pdrop", EmbdPdrop);
        Probability("attn_pdrop", AttnPdrop);
        if (LayerNormEpsilon <= 0) throw new TandemException($"{source}: 'layer_norm_epsilon' must be positive, got {LayerNormEpsilon}");
        if (InitializerRange < 0) throw new TandemException($"{source}: 'initializer_range' must be >= 0, got {InitializerRange}");
        Id("bos_token_id", BosTokenId);
        Id("eos_token_id", EosTokenId);
        Id("pad_token_id", PadTokenId);
    }

    /// <summary>A deep copy (through JSON).</summary>
    public Gpt2Config Clone() => ConfigJson.Parse<Gpt2Config>(ToJson(), "config");

    /// <summary>The config as transformers writes it.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, ConfigJson.Options);

    /// <summary>Writes <c>config.json</c> into <paramref name="dir"/>.</summary>
    public void Save(string dir) => ConfigJson.Save(this, dir);
}

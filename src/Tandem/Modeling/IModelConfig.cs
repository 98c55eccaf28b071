namespace Tandem.Modeling;

/// <summary>
/// What the generic parts (an encoder-decoder's config, warm start, <c>tandem info</c>) need of one half's
/// <c>config.json</c>, whatever its family. Each family's config class mirrors its own file field for field and
/// implements this; <see cref="Models.ModelFamilies"/> reads a node of any registered <c>model_type</c> into one.
/// </summary>
public interface IModelConfig
{
    /// <summary>The <c>model_type</c> as written in the file ("bert", "roberta", ...).</summary>
    string ModelType { get; }
    /// <summary>Rows of the word embedding matrix.</summary>
    int VocabSize { get; }
    /// <summary>Width of the hidden states.</summary>
    int HiddenSize { get; }
    /// <summary>Number of Transformer layers.</summary>
    int NumLayers { get; }
    /// <summary>Longest sequence the position embeddings allow (RoBERTa: minus its padding offset).</summary>
    int MaxPositions { get; }
    /// <summary>Standard deviation of the normal initialiser (also used for <c>enc_to_dec_proj</c>).</summary>
    double InitializerRange { get; }
    /// <summary>Padding id, if the config names one.</summary>
    int? PadTokenId { get; }
    /// <summary>Beginning-of-sequence id, if the config names one.</summary>
    int? BosTokenId { get; }
    /// <summary>End-of-sequence id, if the config names one.</summary>
    int? EosTokenId { get; }
    /// <summary>Causal self-attention (a decoder).</summary>
    bool IsDecoder { get; set; }
    /// <summary>Every layer attends to an encoder's output.</summary>
    bool AddCrossAttention { get; set; }
    /// <summary>Class names of the checkpoint's model; null inside an encoder-decoder config.</summary>
    List<string>? Architectures { get; set; }
    /// <summary>Checks every value, naming the key at fault; <paramref name="source"/> names the file.</summary>
    void Validate(string source);
    /// <summary>A deep copy.</summary>
    IModelConfig Clone();
    /// <summary>One line for people: family, layers, widths, vocabulary.</summary>
    string Describe();
}

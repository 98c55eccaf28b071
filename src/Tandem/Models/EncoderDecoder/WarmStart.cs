using TorchSharp;
using Tandem.Checkpoints;

namespace Tandem.Models.EncoderDecoder;

/// <summary>Options of <see cref="EncoderDecoderModel.FromEncoderDecoderPretrained"/>.</summary>
public sealed class WarmStartOptions
{
    /// <summary>BERTShare / RoBERTaShare: encoder and decoder share every weight they have in common.</summary>
    public bool TieEncoderDecoder { get; init; }
    /// <summary>First decoder token (BERT2BERT: the [CLS] id; RoBERTa: &lt;s&gt;).</summary>
    public int? DecoderStartTokenId { get; init; }
    /// <summary>Padding id; defaults to the decoder config's.</summary>
    public int? PadTokenId { get; init; }
    /// <summary>End-of-sequence id (BERT2BERT: the [SEP] id; RoBERTa: &lt;/s&gt;).</summary>
    public int? EosTokenId { get; init; }
}

/// <summary>What a warm start took from each checkpoint and what it initialised anew, as transformers logs it.</summary>
public sealed class WarmStartReport
{
    /// <summary>The encoder source as given.</summary>
    public required string Encoder { get; init; }
    /// <summary>The decoder source as given.</summary>
    public required string Decoder { get; init; }
    /// <summary>How the encoder checkpoint mapped (null for a random encoder).</summary>
    public LoadReport? EncoderLoad { get; set; }
    /// <summary>How the decoder checkpoint mapped (null for a random decoder).</summary>
    public LoadReport? DecoderLoad { get; set; }
    /// <summary>The encoder's class in transformers' words ("BertModel").</summary>
    public string EncoderClass { get; set; } = "encoder";
    /// <summary>The decoder's class in transformers' words ("BertLMHeadModel").</summary>
    public string DecoderClass { get; set; } = "decoder";
    /// <summary>Encoder keys that share the decoder's tensor (BERTShare).</summary>
    public List<string> SharedKeys { get; } = [];
    /// <summary>Number of distinct parameters (shared tensors counted once).</summary>
    public long TotalParameters { get; private set; }
    /// <summary>Parameters not taken from any checkpoint.</summary>
    public long NewParameters { get; private set; }
    /// <summary>Parameters used by both encoder and decoder.</summary>
    public long SharedParameters { get; private set; }

    internal void Count(EncoderDecoderModel model)
    {
        var fromCheckpoint = new HashSet<string>();
        if (EncoderLoad is not null) fromCheckpoint.UnionWith(EncoderLoad.Loaded.Select(k => "encoder." + k));
        if (DecoderLoad is not null) fromCheckpoint.UnionWith(DecoderLoad.Loaded.Select(k => "decoder." + k));
        var seen = new HashSet<torch.Tensor>(ReferenceEqualityComparer.Instance);
        var loadedTensors = new HashSet<torch.Tensor>(ReferenceEqualityComparer.Instance);
        var sd = model.state_dict();
        foreach (var (k, t) in sd) if (fromCheckpoint.Contains(k)) loadedTensors.Add(t);
        foreach (var (_, t) in sd.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!seen.Add(t)) { SharedParameters += t.NumberOfElements; continue; }
            TotalParameters += t.NumberOfElements;
            if (!loadedTensors.Contains(t)) NewParameters += t.NumberOfElements;
        }
    }

    /// <summary>The report in transformers' words, one message per line.</summary>
    public IEnumerable<string> Describe()
    {
        if (EncoderLoad is null) yield return $"Encoder initialised randomly from {Encoder}";
        else foreach (var l in EncoderLoad.Describe($"{EncoderClass} (encoder)", Encoder)) yield return l;
        if (DecoderLoad is null) yield return $"Decoder initialised randomly from {Decoder}";
        else foreach (var l in DecoderLoad.Describe($"{DecoderClass} (decoder)", Decoder)) yield return l;
        if (SharedKeys.Count > 0) yield return $"Encoder and decoder share {SharedKeys.Count} tensors (tie_encoder_decoder)";
    }
}

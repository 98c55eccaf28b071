using TorchSharp;
using Tandem.Checkpoints;
using Tandem.Models.Bert;
using Tandem.Native;
using static TorchSharp.torch;

namespace Tandem.Models.Roberta;

/// <summary>
/// RoBERTa as transformers defines it: BERT's embeddings, layers and pooler (the same modules and checkpoint keys,
/// under <c>roberta.</c> in a model with a head) with RoBERTa's position ids: each real token counts from
/// <c>pad_token_id + 1</c> over the real tokens before it, padding gets <c>pad_token_id</c>, so left padding shifts
/// nothing; with a cache the count continues after the cached length.
/// </summary>
public sealed class RobertaModel : BertModel
{
    readonly long _pad;

    /// <summary>Builds a randomly initialised model (transformers' initialisation) from <paramref name="config"/>.</summary>
    /// <param name="config">The architecture.</param>
    /// <param name="addPoolingLayer">Whether to add the pooler (a causal LM has none).</param>
    public RobertaModel(RobertaConfig config, bool addPoolingLayer = true) : base("roberta", config, addPoolingLayer, 0)
    {
        _pad = config.PaddingIdx;
    }

    /// <summary>The configuration this model was built from.</summary>
    public new RobertaConfig Config => (RobertaConfig)base.Config;

    /// <summary>transformers' <c>create_position_ids_from_input_ids</c>: <c>(cumsum(ids != pad) + past) * (ids != pad) + pad</c>.</summary>
    protected override Tensor PositionIds(Tensor inputIds, long pastLength) => Positions(inputIds, _pad, pastLength);

    /// <summary>RoBERTa's position ids <c>[batch, len]</c> for <paramref name="inputIds"/> after <paramref name="pastLength"/> cached positions.</summary>
    internal static Tensor Positions(Tensor inputIds, long pad, long pastLength)
    {
        using var scope = NewDisposeScope();
        var real = inputIds.Ne(pad).to(ScalarType.Int64);                                       // [batch, len]
        return (real.cumsum(1).Add(pastLength) * real).Add(pad).MoveToOuterDisposeScope();           // [batch, len]
    }

    /// <summary>Loads a checkpoint folder (<c>config.json</c> + weights) strictly: keys with a <c>roberta.</c> prefix and
    /// unused buffers are accepted, LM-head weights are reported as unused; any other missing, unexpected or
    /// wrong-shaped tensor is an error listing them all.</summary>
    public static new RobertaModel FromPretrained(string dir, LoadReport? report = null)
    {
        var model = new RobertaModel(RobertaConfig.Load(dir));
        using var weights = StateDict.FromFolder(dir);
        var r = CheckpointLoader.Load(model, weights, dir, new LoadOptions { SourcePrefixes = ["roberta."] });
        r.ThrowIfIncomplete(dir);
        report?.Merge(r);
        return model;
    }

    /// <summary>Writes <c>config.json</c> and <c>model.safetensors</c> into <paramref name="dir"/>.</summary>
    public new void SavePretrained(string dir)
    {
        Config.Architectures ??= ["RobertaModel"];
        Config.Save(dir);
        CheckpointWriter.Save(this, dir);
    }
}

using System.Text.Json.Serialization;
using Tandem.Models.Bert;

namespace Tandem.Models.Roberta;

/// <summary>
/// The configuration of a RoBERTa model as transformers' <c>RobertaConfig</c> writes it: BERT's fields with RoBERTa's
/// special ids (<c>&lt;s&gt;</c>=0, <c>&lt;pad&gt;</c>=1, <c>&lt;/s&gt;</c>=2). <c>xlm-roberta</c> and <c>camembert</c> folders
/// are the same architecture and are read (and written back) under their own <c>model_type</c>.
/// Position ids start at <c>pad_token_id + 1</c>, so <c>max_position_embeddings</c> includes that offset.
/// </summary>
public sealed class RobertaConfig : BertConfig
{
    /// <summary>RoBERTa's defaults over BERT's: model type and special ids.</summary>
    public RobertaConfig()
    {
        ModelType = "roberta";
        PadTokenId = 1;
        BosTokenId = 0;
        EosTokenId = 2;
    }

    /// <inheritdoc />
    protected override IReadOnlyList<string> AcceptedModelTypes => ["roberta", "xlm-roberta", "camembert"];

    /// <inheritdoc />
    protected override string FamilyName => "RoBERTa";

    /// <summary>The padding id, which position ids count from (required).</summary>
    [JsonIgnore] public int PaddingIdx => PadTokenId ?? 1;

    /// <summary>Tokens a sequence may hold: the position table minus the ids up to the padding id.</summary>
    [JsonIgnore] public override int MaxPositions => MaxPositionEmbeddings - PaddingIdx - 1;

    /// <inheritdoc />
    [JsonIgnore] internal override int? PositionPaddingIdx => PaddingIdx;

    /// <summary>Reads <c>config.json</c> from a checkpoint folder (or a path to the file itself) and validates it.</summary>
    public static new RobertaConfig Load(string dirOrFile) => Load<RobertaConfig>(dirOrFile);

    /// <summary>Parses config JSON text; <paramref name="source"/> names it in errors.</summary>
    public static new RobertaConfig Parse(string json, string source = "config.json") => Parse<RobertaConfig>(json, source);

    /// <inheritdoc />
    public override void Validate(string source = "config.json")
    {
        base.Validate(source);
        if (PadTokenId is null)
            throw new TandemException($"{source}: 'pad_token_id' is required: RoBERTa counts position ids from it");
        if (MaxPositions < 1)
            throw new TandemException($"{source}: 'max_position_embeddings' ({MaxPositionEmbeddings}) leaves no position after the padding offset ({PaddingIdx + 1})");
    }
}

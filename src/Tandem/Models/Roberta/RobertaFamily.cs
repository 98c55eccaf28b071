using Tandem.Checkpoints;
using Tandem.Modeling;
using Tandem.Models.Bert;

namespace Tandem.Models.Roberta;

/// <summary>RoBERTa (and XLM-R, CamemBERT) in the family registry (<see cref="ModelFamilies"/>).</summary>
internal static class RobertaFamily
{
    public static ModelFamily Definition { get; } = new()
    {
        Name = "RoBERTa",
        ModelTypes = ["roberta", "xlm-roberta", "camembert"],
        ParseConfig = RobertaConfig.Parse,
        CreateEncoder = c => new RobertaModel((RobertaConfig)c),
        EncoderLoading = new WarmStartLoading
        {
            ClassName = "RobertaModel",
            Options = new LoadOptions { SourcePrefixes = ["roberta."] },
            NewKeys = ["pooler."],
        },
        ExportOnnx = e => BertOnnx.ToBytes((BertModel)e),
        CreateDecoder = c => new RobertaForCausalLM((RobertaConfig)c),
        DecoderLoading = new WarmStartLoading
        {
            ClassName = "RobertaForCausalLM",
            Options = new LoadOptions { TargetPrefixes = ["roberta."] },
            NewKeys = ["crossattention.", "lm_head."],
        },
        WarmStartIds = (c, _) => new SpecialTokenIds(c.BosTokenId ?? 0, c.PadTokenId ?? 1, c.EosTokenId ?? 2),
        MaskedLM = new MaskedLMSupport
        {
            Create = c => new RobertaForCausalLM((RobertaConfig)c),
            Loading = new WarmStartLoading
            {
                ClassName = "RobertaForMaskedLM",
                Options = new LoadOptions { TargetPrefixes = ["roberta."] },
                NewKeys = ["lm_head."],
            },
            StartsWord = token => token.StartsWith('\u0120'),                                      // Ġ: byte-level BPE's space
        },
    };
}

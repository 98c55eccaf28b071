using Tandem.Checkpoints;
using Tandem.Modeling;
using Tandem.Tokenization;

namespace Tandem.Models.Bert;

/// <summary>BERT in the family registry (<see cref="ModelFamilies"/>).</summary>
internal static class BertFamily
{
    public static ModelFamily Definition { get; } = new()
    {
        Name = "BERT",
        ModelTypes = ["bert"],
        ParseConfig = BertConfig.Parse,
        CreateEncoder = c => new BertModel((BertConfig)c),
        EncoderLoading = new WarmStartLoading
        {
            ClassName = "BertModel",
            Options = new LoadOptions { SourcePrefixes = ["bert."] },
            NewKeys = ["pooler."],
        },
        ExportOnnx = e => BertOnnx.ToBytes((BertModel)e),
        CreateDecoder = c => new BertLMHeadModel((BertConfig)c),
        DecoderLoading = new WarmStartLoading
        {
            ClassName = "BertLMHeadModel",
            Options = new LoadOptions { TargetPrefixes = ["bert."] },
            NewKeys = ["crossattention.", "cls."],
        },
        WarmStartIds = WarmStartIds,
        MaskedLM = new MaskedLMSupport
        {
            Create = c => new BertLMHeadModel((BertConfig)c),
            Loading = new WarmStartLoading
            {
                ClassName = "BertForMaskedLM",
                Options = new LoadOptions { TargetPrefixes = ["bert."] },
                NewKeys = ["cls."],
            },
            StartsWord = token => !token.StartsWith(TextDecoder.ContinuationPrefix, StringComparison.Ordinal),
        },
    };

    /// <summary>BERT2BERT's recipe: decoder start [CLS], pad [PAD], EOS [SEP], read from the WordPiece vocabulary.</summary>
    static SpecialTokenIds? WarmStartIds(IModelConfig config, string? tokenizerDir)
    {
        if (tokenizerDir is null || !File.Exists(Path.Combine(tokenizerDir, "vocab.txt"))) return null;
        var tok = WordPieceTokenizer.FromPretrained(tokenizerDir);
        return new SpecialTokenIds(tok.ClsTokenId, tok.PadTokenId, tok.SepTokenId);
    }
}

using Tandem.Checkpoints;
using Tandem.Modeling;

namespace Tandem.Models.Gpt2;

/// <summary>GPT-2 in the family registry (<see cref="ModelFamilies"/>): a decoder only (no encoder).</summary>
internal static class Gpt2Family
{
    public static ModelFamily Definition { get; } = new()
    {
        Name = "GPT-2",
        ModelTypes = ["gpt2"],
        ParseConfig = Gpt2Config.Parse,
        CreateDecoder = c => new Gpt2LMHeadModel((Gpt2Config)c),
        DecoderLoading = new WarmStartLoading
        {
            ClassName = "GPT2LMHeadModel",
            // the hub's gpt2 was saved from a bare GPT2Model: its keys lack "transformer."
            Options = new LoadOptions { TargetPrefixes = ["transformer."] },
            NewKeys = [".crossattention.", ".ln_cross_attn."],
        },
        WarmStartIds = WarmStartIds,
    };

    /// <summary>
    /// A GPT-2 decoder starts from bos and ends with eos (both <c>&lt;|endoftext|&gt;</c>), as transformers' BERT2GPT2
    /// recipe sets them. GPT-2 has no pad token; Tandem pads with eos too, as that recipe (pad = unk =
    /// <c>&lt;|endoftext|&gt;</c>) and transformers' generate (pad = eos when unset) do. Labels ignore padding through
    /// -100, so the pad id only fills decoder inputs after a target's end and the positions a decoder mask
    /// <c>ids != pad</c> hides: eos never stands inside a target, whereas any other id (say 0, "!") would also hide
    /// that real token wherever a target contains it. The cost: such a mask also hides the start token (the same
    /// id), a constant that carries no information. A config's own <c>pad_token_id</c> wins.
    /// </summary>
    static SpecialTokenIds? WarmStartIds(IModelConfig config, string? tokenizerDir)
    {
        var eos = config.EosTokenId ?? config.BosTokenId;
        return eos is null ? null : new SpecialTokenIds(config.BosTokenId ?? eos, config.PadTokenId ?? eos, eos);
    }
}

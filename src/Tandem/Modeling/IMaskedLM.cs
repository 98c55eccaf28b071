using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Modeling;

/// <summary>
/// A bidirectional Transformer with its masked-LM head (<c>BertForMaskedLM</c>, <c>RobertaForMaskedLM</c>), whatever
/// its family: what masked-LM pre-training and <c>fill-mask</c> need. <see cref="Models.MaskedLanguageModels"/>
/// builds and loads one by a folder's <c>model_type</c>.
/// </summary>
public interface IMaskedLM
{
    /// <summary>The whole module (body and head); its names are the checkpoint keys.</summary>
    nn.Module Module { get; }

    /// <summary>The configuration it was built from (<c>is_decoder</c> false).</summary>
    IModelConfig Config { get; }

    /// <summary>Logits <c>[n, vocab]</c> at the <paramref name="selected"/> positions only (a bool mask
    /// <c>[batch, len]</c> with n true) of <paramref name="inputIds"/> <c>[batch, len]</c>, every position visible: a
    /// masked LM's loss reads no other position, so the output layer, the largest product, runs on about 15 % of
    /// them. The caller owns the result.</summary>
    Tensor MaskedLogits(Tensor inputIds, Tensor selected);

    /// <summary>Writes <c>config.json</c> and <c>model.safetensors</c> into <paramref name="dir"/>.</summary>
    void SavePretrained(string dir);

    /// <summary>The rows of <paramref name="hidden"/> <c>[batch, len, width]</c> where <paramref name="selected"/>
    /// <c>[batch, len]</c> is true, as <c>[n, width]</c>: what a head's <see cref="MaskedLogits"/> reads.</summary>
    static Tensor Select(Tensor hidden, Tensor selected) =>
        hidden.masked_select(selected.unsqueeze(-1)).reshape(-1, hidden.size(-1));              // [n, width]
}

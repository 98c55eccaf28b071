using TorchSharp;
using Tandem.Checkpoints;
using Tandem.Generation;
using Tandem.Modeling;
using static TorchSharp.torch;

namespace Tandem.Models.EncoderDecoder;

public sealed partial class EncoderDecoderModel
{

    /// <summary>The folder whose tokenizer files belong to this model (the checkpoint it was loaded from or the
    /// decoder it was warm-started from); <see cref="SavePretrained"/> copies them.</summary>
    public string? TokenizerSource { get; set; }

    /// <summary>Loads an encoder-decoder folder saved by Tandem or by transformers' <c>save_pretrained</c>
    /// (<c>model.safetensors</c>, sharded, or <c>pytorch_model.bin</c>). Strict: any missing, unexpected or
    /// wrong-shaped tensor is an error listing them.</summary>
    public static EncoderDecoderModel FromPretrained(string dir)
    {
        if (!Directory.Exists(dir)) throw new TandemException($"{dir}: model folder not found");
        var config = EncoderDecoderConfig.Load(dir);
        var model = Initialization.BuildForStrictLoad(() => new EncoderDecoderModel(config));   // every weight is loaded next
        Diagnostics.PhaseTiming.Mark("model built");
        return ModelFolder.Load(model, dir);
    }

    /// <summary>Writes <c>config.json</c>, the weights (tied tensors once) and the tokenizer files into <paramref name="dir"/>.</summary>
    /// <param name="dir">Target folder, created if needed.</param>
    /// <param name="safeSerialization">Write <c>model.safetensors</c> (default) or <c>pytorch_model.bin</c>.</param>
    public void SavePretrained(string dir, bool safeSerialization = true) =>
        ModelFolder.Save(this, dir, safeSerialization, Config.Save);

    /// <summary>
    /// Warm start from two checkpoints, as transformers' <c>from_encoder_decoder_pretrained</c>: the encoder from
    /// <paramref name="encoder"/>, the decoder from <paramref name="decoder"/> with <c>is_decoder</c> and
    /// <c>add_cross_attention</c> set, so its cross-attention (and, from an encoder-only checkpoint, its LM head) is
    /// newly initialised. Either side may be <c>random:&lt;config.json&gt;</c> for a randomly initialised half.
    /// </summary>
    /// <param name="encoder">Encoder checkpoint folder, or <c>random:PATH</c>.</param>
    /// <param name="decoder">Decoder checkpoint folder, or <c>random:PATH</c>.</param>
    /// <param name="options">Tying and special ids.</param>
    public static (EncoderDecoderModel Model, WarmStartReport Report) FromEncoderDecoderPretrained(
        string encoder, string decoder, WarmStartOptions? options = null)
    {
        options ??= new WarmStartOptions();
        var (encConfig, encDir) = SideConfig(encoder, "encoder");
        var (decConfig, decDir) = SideConfig(decoder, "decoder");
        encConfig.IsDecoder = false;
        encConfig.AddCrossAttention = false;
        decConfig.IsDecoder = true;
        decConfig.AddCrossAttention = true;
        decConfig.Architectures = null;
        encConfig.Architectures = null;
        var config = new EncoderDecoderConfig
        {
            Encoder = encConfig,
            Decoder = decConfig,
            TieEncoderDecoder = options.TieEncoderDecoder,
            DecoderStartTokenId = options.DecoderStartTokenId,
            PadTokenId = options.PadTokenId ?? decConfig.PadTokenId,
            EosTokenId = options.EosTokenId,
        };
        var model = new EncoderDecoderModel(config) { TokenizerSource = decDir ?? encDir };
        var report = new WarmStartReport { Encoder = encoder, Decoder = decoder };
        try
        {
            var encFamily = ModelFamilies.Of(encConfig);
            var decFamily = ModelFamilies.Of(decConfig);
            if (encDir is not null) report.EncoderLoad = encFamily.EncoderLoading!.Load(model.encoder.Module, encDir, encFamily.Name);
            if (decDir is not null) report.DecoderLoad = decFamily.DecoderLoading.Load(model.decoder.Module, decDir, decFamily.Name);
            report.EncoderClass = encFamily.EncoderLoading!.ClassName;
            report.DecoderClass = decFamily.DecoderLoading.ClassName;
            if (options.TieEncoderDecoder) report.SharedKeys.AddRange(model.TieEncoderToDecoder().Select(k => "encoder." + k));
            report.Count(model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return (model, report);
    }

    /// <summary>A half's config (a fresh copy) and checkpoint folder: <c>random:PATH</c> gives the config of PATH and
    /// no folder. The family comes from the config's <c>model_type</c>.</summary>
    internal static (IModelConfig Config, string? Dir) SideConfig(string spec, string side)
    {
        if (spec.StartsWith("random:", StringComparison.Ordinal))
            return (ModelFamilies.LoadConfig(spec["random:".Length..]), null);
        if (!Directory.Exists(spec)) throw new TandemException($"{side} '{spec}': no such folder (give a checkpoint folder or random:<config.json>)");
        if (EncoderDecoderConfig.IsEncoderDecoderFolder(spec))
            throw new TandemException($"{side} '{spec}' is already an encoder-decoder model; load it with FromPretrained or give one of its halves");
        var config = ModelFamilies.LoadConfig(spec);
        if (side == "encoder" && ModelFamilies.Of(config).CreateEncoder is null)
            throw new TandemException($"{side} '{spec}': a {ModelFamilies.Of(config).Name} checkpoint cannot be an encoder");
        return (config, spec);
    }
}

using System.Text;
using Tandem.Models;
using Tandem.Models.EncoderDecoder;
using Tandem.Models.PrefixLM;
using Tandem.Modeling;
using Tandem.Pretrained;
using Tandem.Tokenization;

namespace Tandem.Pipelines;

/// <summary>A human-readable description of a checkpoint folder: architecture, parameter count, special ids.</summary>
public static class ModelInfo
{
    /// <summary>Describes the model in <paramref name="model"/> (a folder or an embedded name).</summary>
    public static string Describe(string model, string? cacheDir = null)
    {
        var dir = EmbeddedModels.Resolve(model, cacheDir);
        var sb = new StringBuilder();
        sb.AppendLine($"model: {dir}");
        if (IsSeq2Seq(dir))
        {
            using var m = Seq2SeqModels.FromPretrained(dir);
            sb.AppendLine($"architecture: {m.GetType().Name}");
            if (m is EncoderDecoderModel ed)
            {
                sb.AppendLine("encoder: " + ed.Config.Encoder.Describe());
                sb.AppendLine("decoder: " + ed.Config.Decoder.Describe() + " + cross-attention + LM head");
                if (ed.Config.TieEncoderDecoder) sb.AppendLine("tie_encoder_decoder: true (encoder and decoder share their common weights)");
            }
            if (m is PrefixLMModel prefix) sb.AppendLine("stack: " + prefix.Config.Bert.Describe() + " + LM head, prefix (UniLM) mask");
            sb.AppendLine($"parameters: {Count(m.Module):N0}");
            var ids = m.SpecialIds;
            sb.AppendLine($"decoder_start_token_id: {Show(ids.DecoderStart)}  eos_token_id: {Show(ids.Eos)}  pad_token_id: {Show(ids.Pad)}");
        }
        else if (CausalLMPipeline.IsCausalLMFolder(dir))
        {
            var config = ModelFamilies.LoadConfig(dir);
            using var lm = CausalLMPipeline.Load(dir);
            sb.AppendLine($"architecture: {lm.Model.GetType().Name} ({string.Join(", ", config.Architectures ?? [lm.Model.GetType().Name])}), a decoder-only LM");
            sb.AppendLine("config: " + config.Describe());
            sb.AppendLine($"parameters: {Count(lm.Module):N0}");
            var g = lm.GenerationConfig;
            sb.AppendLine($"bos_token_id: {Show(g.BosTokenId)}  eos_token_id: {Show(g.EosTokenId?.FirstOrDefault())}  pad_token_id: {Show(g.PadTokenId)}");
        }
        else
        {
            var config = ModelFamilies.LoadConfig(dir);
            var encoder = ModelFamilies.LoadEncoder(dir, exact: true);
            using var m = encoder.Module;
            sb.AppendLine($"architecture: {encoder.GetType().Name} ({string.Join(", ", config.Architectures ?? [encoder.GetType().Name])})");
            sb.AppendLine("config: " + config.Describe());
            sb.AppendLine($"parameters: {Count(m):N0}");
        }
        if (File.Exists(Path.Combine(dir, "vocab.txt")) && !Seq2SeqTokenizers.Exists(Path.Combine(dir, Seq2SeqTokenizers.EncoderFolder))
            && AutoTokenizer.FromPretrained(dir) is WordPieceTokenizer t)
        {
            sb.AppendLine($"tokenizer: WordPiece, {t.VocabSize} tokens, lower case {t.DoLowerCase}, max length {Show(t.ModelMaxLength)}");
            sb.AppendLine($"special tokens: {t.ClsToken}={t.ClsTokenId} {t.SepToken}={t.SepTokenId} {t.PadToken}={t.PadTokenId} {t.UnkToken}={t.UnkTokenId} {t.MaskToken}={t.MaskTokenId}");
        }
        else if (Seq2SeqTokenizers.Exists(dir))
        {
            var pair = Seq2SeqTokenizers.FromPretrained(dir);
            foreach (var (side, tok) in pair.Shared ? [("tokenizer", pair.Target)] : new[] { ("source tokenizer", pair.Source), ("target tokenizer", pair.Target) })
                sb.AppendLine($"{side}: {tok.Kind}, {tok.VocabSize} tokens, max length {Show(tok.ModelMaxLength)}; special ids bos={Show(tok.BosTokenId)} eos={Show(tok.EosTokenId)} pad={Show(tok.PadTokenId)} unk={Show(tok.UnkTokenId)} cls={Show(tok.ClsTokenId)} sep={Show(tok.SepTokenId)} mask={Show(tok.MaskTokenId)}");
        }
        else sb.AppendLine("tokenizer: none in this folder");
        return sb.ToString().TrimEnd();
    }

    static bool IsSeq2Seq(string dir)
    {
        try { return Seq2SeqModels.IsSeq2SeqFolder(dir); }
        catch (TandemException) { return false; }
    }

    static string Show(int? v) => v?.ToString() ?? "unset";

    /// <summary>Distinct parameters of <paramref name="module"/> (a tensor shared by two keys counts once).</summary>
    public static long Count(TorchSharp.torch.nn.Module module) =>
        module.parameters().Distinct(ReferenceEqualityComparer.Instance).Cast<TorchSharp.torch.Tensor>().Sum(p => p.NumberOfElements);
}

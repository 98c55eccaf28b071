using Tandem.Modeling;
using Tandem.Pipelines;
using Tandem.Tokenization;

namespace Tandem.Training;

/// <summary>A model ready to train: the model, its tokenizer, and which parameters are newly initialised.</summary>
/// <param name="Model">The model.</param>
/// <param name="Tokenizer">Its tokenizer.</param>
/// <param name="NewKeys">Parameter names not taken from a checkpoint (warm start); they may get their own learning rate.</param>
/// <param name="Report">Lines describing how the model was built.</param>
public sealed record ModelSetup(ISeq2SeqModel Model, WordPieceTokenizer Tokenizer, IReadOnlySet<string> NewKeys, IReadOnlyList<string> Report)
{
    /// <summary>Builds the model a <see cref="ModelSection"/> describes. <paramref name="resumeFrom"/>, when given,
    /// is a checkpoint folder whose weights replace the model's.</summary>
    /// <param name="m">The model section.</param>
    /// <param name="resumeFrom">A checkpoint folder to load instead (resume).</param>
    /// <param name="resumedNewKeys">The new-weight names recorded when the run started (resume).</param>
    public static ModelSetup Load(ModelSection m, string? resumeFrom = null, IEnumerable<string>? resumedNewKeys = null)
    {
        var report = new List<string>();
        var newKeys = new HashSet<string>(resumedNewKeys ?? []);
        if (m.Path is not null || resumeFrom is not null)
        {
            var dir = resumeFrom ?? ModelNames.Resolve(m.Path!);
            var model = Seq2SeqModels.FromPretrained(dir);
            var tokDir = m.Tokenizer is { } t ? ModelNames.Resolve(t) : model.TokenizerSource ?? dir;
            model.TokenizerSource = tokDir;                     // checkpoints copy the tokenizer the run reads
            report.Add($"model loaded from {dir}");
            return new ModelSetup(model, LoadTokenizer(tokDir, "model.tokenizer"), newKeys, report);
        }
        if (m.Unilm is not null)
        {
            var (prefix, load) = Seq2SeqInitializer.CreatePrefixLM(m.Unilm, m.Tokenizer);
            var names = prefix.named_parameters().Select(p => p.name).ToList();
            newKeys.UnionWith(load is null ? names : load.Missing);
            if (load is not null) report.AddRange(load.Describe("PrefixLMModel", m.Unilm));
            return new ModelSetup(prefix, LoadTokenizer(prefix.TokenizerSource!, "model.tokenizer"), newKeys, report);
        }
        var (ed, warm) = Seq2SeqInitializer.Create(m.Encoder!, m.Decoder!, m.TieEncoderDecoder, m.Tokenizer);
        var tokenizer = LoadTokenizer(ed.TokenizerSource!, "model.tokenizer");
        var all = ed.named_parameters().Select(p => p.name).ToList();
        if (warm.EncoderLoad is null) newKeys.UnionWith(all.Where(k => k.StartsWith("encoder.", StringComparison.Ordinal)));
        else newKeys.UnionWith(warm.EncoderLoad.Missing.Select(k => "encoder." + k));
        if (warm.DecoderLoad is null) newKeys.UnionWith(all.Where(k => k.StartsWith("decoder.", StringComparison.Ordinal)));
        else newKeys.UnionWith(warm.DecoderLoad.Missing.Select(k => "decoder." + k));
        newKeys.UnionWith(all.Where(k => k.StartsWith("enc_to_dec_proj.", StringComparison.Ordinal)));
        report.AddRange(warm.Describe());
        return new ModelSetup(ed, tokenizer, newKeys, report);
    }

    static WordPieceTokenizer LoadTokenizer(string dir, string key)
    {
        try { return WordPieceTokenizer.FromPretrained(dir); }
        catch (TandemException e) { throw new TandemException($"{key}: {e.Message}", e); }
    }
}

using TorchSharp;
using Tandem.Checkpoints;
using Tandem.Evaluation;
using Tandem.Modeling;
using Tandem.Models.Bert;
using Tandem.Tokenization;
using Tandem.Training;
using static TorchSharp.torch;

namespace Tandem.Pretraining;

/// <summary>
/// Masked-LM pre-training as an <see cref="ITrainingTask"/>: a BERT with its prediction head (saved as
/// <c>BertForMaskedLM</c>) learns to restore the tokens <see cref="MaskedLMMasker"/> chose in blocks of text. Each
/// training batch is masked afresh, from a generator seeded by (seed, epoch, batch); the evaluation blocks are masked
/// once, by the seed, so that every evaluation of a run scores the same questions.
/// </summary>
internal sealed class MaskedLMTask : ITrainingTask
{
    readonly TrainConfig _config;
    readonly BertLMHeadModel _model;
    readonly string _tokenizerDir;
    readonly MaskedLMMasker _masker;
    readonly BlockCorpus _data;
    readonly List<MaskedExample>? _dev;
    readonly HashSet<string> _newKeys;

    MaskedLMTask(TrainConfig config, BertLMHeadModel model, WordPieceTokenizer tokenizer, string tokenizerDir, HashSet<string> newKeys, Action<string> log)
    {
        (_config, _model, _tokenizerDir, _newKeys) = (config, model, tokenizerDir, newKeys);
        var o = config.Objective;
        if (tokenizer.VocabSize > model.Config.VocabSize)
            throw new TandemException($"model.tokenizer: {tokenizerDir} has {tokenizer.VocabSize} tokens, more than the model's vocab_size {model.Config.VocabSize}");
        if (o.BlockSize > model.Config.MaxPositionEmbeddings)
            throw new TandemException($"objective.block_size: {o.BlockSize} is longer than the model's max_position_embeddings {model.Config.MaxPositionEmbeddings}");
        var specials = new HashSet<long> { tokenizer.ClsTokenId, tokenizer.SepTokenId, tokenizer.PadTokenId, tokenizer.UnkTokenId, tokenizer.MaskTokenId };
        _masker = new MaskedLMMasker(new MaskingOptions { MlmProbability = o.MlmProbability, WholeWordMask = o.WholeWordMask },
            tokenizer.MaskTokenId, tokenizer.VocabSize, specials.Contains,
            id => tokenizer.IdToToken((int)id).StartsWith("##", StringComparison.Ordinal));
        _data = new BlockCorpus(config, line => tokenizer.EncodeToIds(line), log);
        if (_data.Dev is { } dev)
        {
            _dev = dev.Select((b, i) => _masker.Mask(b, new Random(BlockCorpus.Seed(config.Seed, -1, i)))).ToList();
            log($"evaluation blocks masked once (seed {config.Seed})");
        }
    }

    /// <summary>Builds the model (<c>model.encoder</c>: <c>random:config.json</c>, a BERT folder to continue, or the
    /// checkpoint <paramref name="resumeDir"/>) and loads the text.</summary>
    public static MaskedLMTask Create(TrainConfig config, string? resumeDir, IEnumerable<string>? resumedNewKeys, CheckpointStore store, Action<string> log)
    {
        var spec = ModelNames.Resolve(config.Model.Encoder!);
        bool random = spec.StartsWith("random:", StringComparison.Ordinal);
        var newKeys = new HashSet<string>(resumedNewKeys ?? []);
        var tokSource = config.Model.Tokenizer is { } t ? ModelNames.Resolve(t) : random ? null : spec;
        var tokenizerDir = store.RunTokenizer(tokSource) ?? throw new TandemException("model.tokenizer: a model from random:config.json needs a tokenizer folder");
        WordPieceTokenizer tokenizer;
        try { tokenizer = WordPieceTokenizer.FromPretrained(tokenizerDir); }
        catch (TandemException e) { throw new TandemException($"model.tokenizer: {e.Message}", e); }
        var model = Build(resumeDir ?? spec, resumeDir is not null, newKeys, log);
        try { return new MaskedLMTask(config, model, tokenizer, tokenizerDir, newKeys, log); }
        catch { model.Dispose(); throw; }
    }

    static BertLMHeadModel Build(string spec, bool resuming, HashSet<string> newKeys, Action<string> log)
    {
        if (resuming)
        {
            log($"model loaded from {spec}");
            return BertLMHeadModel.FromPretrained(spec);
        }
        bool random = spec.StartsWith("random:", StringComparison.Ordinal);
        if (!random && !Directory.Exists(spec)) throw new TandemException($"model.encoder '{spec}': no such folder (give a BERT folder or random:<config.json>)");
        var config = BertConfig.Load(random ? spec["random:".Length..] : spec);
        config.IsDecoder = false;
        config.AddCrossAttention = false;
        config.Architectures = ["BertForMaskedLM"];
        var model = new BertLMHeadModel(config);
        if (random)
        {
            newKeys.UnionWith(model.named_parameters().Select(p => p.name));
            log($"BertForMaskedLM from {spec}: randomly initialised");
            return model;
        }
        using var weights = StateDict.FromFolder(spec);
        var report = CheckpointLoader.Load(model, weights, spec, new LoadOptions { TargetPrefixes = ["bert."] });
        if (report.ShapeMismatches.Count > 0) { model.Dispose(); throw new TandemException($"model.encoder '{spec}': {report.ShapeMismatches[0]}"); }
        newKeys.UnionWith(report.Missing);
        log($"BertForMaskedLM continued from {spec}");
        foreach (var line in report.Describe("BertForMaskedLM", spec)) log(line);
        return model;
    }

    public nn.Module Module => _model;
    public IReadOnlySet<string> NewKeys => _newKeys;
    public bool HasDev => _dev is not null;

    public IReadOnlyList<int[]> Batches(int epoch) => _data.Batches(epoch);

    public long Tokens(int[] rows) => _data.Tokens(rows);

    public Tensor Loss(int[] rows, int epoch, int index)
    {
        var rng = new Random(BlockCorpus.Seed(_config.Seed, epoch, index));
        var (ids, labels) = Collate(rows.Select(r => _masker.Mask(_data.Train[r], rng)).ToList());
        var selected = labels.ne(MaskedLMMasker.Ignore);                                          // [batch, len]
        var logits = _model.MaskedLogits(new BertInput { InputIds = ids }, selected);            // [n, vocab]
        return Seq2SeqLabels.Loss(logits, labels.masked_select(selected), _config.Optimizer.LabelSmoothing);
    }

    public EvaluationResult Evaluate()
    {
        _model.eval();
        double lossSum = 0;
        long correct = 0, count = 0;
        using (no_grad())
            foreach (var chunk in _dev!.Chunk(_data.BlocksPerBatch))
            {
                using var scope = NewDisposeScope();
                var (ids, labels) = Collate(chunk);
                var selected = labels.ne(MaskedLMMasker.Ignore);                                  // [batch, len]
                var target = labels.masked_select(selected);                                     // [n]
                var logits = _model.MaskedLogits(new BertInput { InputIds = ids }, selected).to(ScalarType.Float32);
                lossSum += nn.functional.cross_entropy(logits, target, reduction: nn.Reduction.Sum).item<float>();
                correct += logits.argmax(-1).eq(target).sum().item<long>();
                count += target.shape[0];
            }
        if (count == 0) throw new TandemException($"data.splits.{_config.Data.EvalSplit}: no token was chosen for prediction; give more text");
        double loss = lossSum / count;
        return new EvaluationResult { Loss = loss, Perplexity = Math.Exp(loss), MaskedAccuracy = (double)correct / count, Examples = _dev!.Count };
    }

    /// <summary>A <c>BertForMaskedLM</c> folder: config.json, model.safetensors (<c>bert.*</c> + <c>cls.predictions.*</c>)
    /// and the tokenizer files.</summary>
    public void SaveModel(string dir)
    {
        _model.SavePretrained(dir);
        ModelFolder.WriteTokenizer(dir, _tokenizerDir);
    }

    static (Tensor Ids, Tensor Labels) Collate(IReadOnlyList<MaskedExample> examples) =>
        (BlockCorpus.Stack(examples.Select(e => e.InputIds).ToList()), BlockCorpus.Stack(examples.Select(e => e.Labels).ToList()));   // [batch, len] each

    public void Dispose() => _model.Dispose();
}

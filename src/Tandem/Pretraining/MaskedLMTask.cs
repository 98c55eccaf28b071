using TorchSharp;
using Tandem.Checkpoints;
using Tandem.Evaluation;
using Tandem.Modeling;
using Tandem.Models;
using Tandem.Native;
using Tandem.Tokenization;
using Tandem.Training;
using static TorchSharp.torch;

namespace Tandem.Pretraining;

/// <summary>
/// Masked-LM pre-training as an <see cref="ITrainingTask"/>: a model of any family with a masked-LM head (saved as
/// <c>BertForMaskedLM</c>, <c>RobertaForMaskedLM</c>; see <see cref="MaskedLanguageModels"/>) learns to restore the
/// tokens <see cref="MaskedLMMasker"/> chose in blocks of text. Each training batch is masked afresh, from a
/// generator seeded by (seed, epoch, batch); the evaluation blocks are masked once, by the seed, so that every
/// evaluation of a run scores the same questions.
/// </summary>
internal sealed class MaskedLMTask : ITrainingTask
{
    readonly TrainConfig _config;
    readonly IMaskedLM _model;
    readonly string _tokenizerDir;
    readonly MaskedLMMasker _masker;
    readonly BlockCorpus _data;
    readonly List<MaskedExample>? _dev;
    readonly HashSet<string> _newKeys;

    MaskedLMTask(TrainConfig config, IMaskedLM model, ITokenizer tokenizer, string tokenizerDir, HashSet<string> newKeys, Action<string> log)
    {
        (_config, _model, _tokenizerDir, _newKeys) = (config, model, tokenizerDir, newKeys);
        var o = config.Objective;
        var mc = model.Config;
        if (tokenizer.VocabSize > mc.VocabSize)
            throw new TandemException($"model.tokenizer: {tokenizerDir} has {tokenizer.VocabSize} tokens, more than the model's vocab_size {mc.VocabSize}");
        if (tokenizer.PadTokenId is { } pad && mc.PadTokenId is { } modelPad && pad != modelPad)
            throw new TandemException($"model.tokenizer: {tokenizerDir} pads with id {pad}, the model's pad_token_id is {modelPad}; give the model the tokenizer's id");
        if (o.BlockSize > mc.MaxPositions)
            throw new TandemException($"objective.block_size: {o.BlockSize} is longer than the {mc.MaxPositions} positions the model reads (max_position_embeddings)");
        _masker = MaskedLMMasker.For(tokenizer, new MaskingOptions { MlmProbability = o.MlmProbability, WholeWordMask = o.WholeWordMask },
            MaskedLanguageModels.Of(mc, "model.encoder").Support.StartsWord, "model.tokenizer");
        _data = new BlockCorpus(config, line => tokenizer.EncodeToIds(line), log);
        if (_data.Dev is { } dev)
        {
            _dev = dev.Select((b, i) => _masker.Mask(b, new Random(BlockCorpus.Seed(config.Seed, -1, i)))).ToList();
            log($"evaluation blocks masked once (seed {config.Seed})");
        }
    }

    /// <summary>Builds the model (<c>model.encoder</c>: <c>random:config.json</c>, a folder of a family with a masked
    /// LM to continue, or the checkpoint <paramref name="resumeDir"/>) and loads the text.</summary>
    public static MaskedLMTask Create(TrainConfig config, string? resumeDir, IEnumerable<string>? resumedNewKeys, CheckpointStore store, Action<string> log)
    {
        var (spec, tokenizerDir, tokenizer) = PretrainingSource.Resolve(config.Model.Encoder!, config, store);
        var newKeys = new HashSet<string>(resumedNewKeys ?? []);
        var model = Build(resumeDir ?? spec, resumeDir is not null, newKeys, log);
        try { return new MaskedLMTask(config, model, tokenizer, tokenizerDir, newKeys, log); }
        catch { model.Module.Dispose(); throw; }
    }

    static IMaskedLM Build(string spec, bool resuming, HashSet<string> newKeys, Action<string> log)
    {
        if (resuming)
        {
            log($"model loaded from {spec}");
            return MaskedLanguageModels.FromPretrained(spec);
        }
        if (spec.StartsWith("random:", StringComparison.Ordinal))
        {
            var path = spec["random:".Length..];
            var model = MaskedLanguageModels.Create(ModelFamilies.LoadConfig(path), path);
            newKeys.UnionWith(model.Module.named_parameters().Select(p => p.name));
            log($"{model.Config.Architectures![0]} from {spec}: randomly initialised");
            return model;
        }
        if (!Directory.Exists(spec)) throw new TandemException($"model.encoder '{spec}': no such folder (give a masked-LM or encoder folder to continue, or random:<config.json>)");
        var continued = MaskedLanguageModels.Continue(spec, out var report);
        newKeys.UnionWith(report.Missing);
        var name = continued.Config.Architectures![0];
        log($"{name} continued from {spec}");
        foreach (var line in report.Describe(name, spec)) log(line);
        return continued;
    }

    public nn.Module Module => _model.Module;
    public IReadOnlySet<string> NewKeys => _newKeys;
    public bool HasDev => _dev is not null;

    public IReadOnlyList<int[]> Batches(int epoch) => _data.Batches(epoch);

    public long Tokens(int[] rows) => _data.Tokens(rows);

    public Tensor Loss(int[] rows, int epoch, int index)
    {
        var rng = new Random(BlockCorpus.Seed(_config.Seed, epoch, index));
        var (ids, labels) = Collate(rows.Select(r => _masker.Mask(_data.Train[r], rng)).ToList());
        var selected = labels.Ne(MaskedLMMasker.Ignore);                                          // [batch, len]
        var logits = _model.MaskedLogits(ids, selected);                                         // [n, vocab]
        return Seq2SeqLabels.Loss(logits, labels.masked_select(selected), _config.Optimizer.LabelSmoothing);
    }

    public EvaluationResult Evaluate()
    {
        _model.Module.eval();
        double lossSum = 0;
        long correct = 0, count = 0;
        using (no_grad())
            foreach (var chunk in _dev!.Chunk(_data.BlocksPerBatch))
            {
                using var noCollection = Native.NoCollection.Enter();
                using var scope = NewDisposeScope();
                var (ids, labels) = Collate(chunk);
                var selected = labels.Ne(MaskedLMMasker.Ignore);                                  // [batch, len]
                var target = labels.masked_select(selected);                                     // [n]
                var logits = _model.MaskedLogits(ids, selected).to(ScalarType.Float32);         // [n, vocab]
                lossSum += nn.functional.cross_entropy(logits, target, reduction: nn.Reduction.Sum).item<float>();
                correct += logits.argmax(-1).eq(target).sum().item<long>();
                count += target.size(0);
            }
        if (count == 0) throw new TandemException($"data.splits.{_config.Data.EvalSplit}: no token was chosen for prediction; give more text");
        double loss = lossSum / count;
        return new EvaluationResult { Loss = loss, Perplexity = Math.Exp(loss), MaskedAccuracy = (double)correct / count, Examples = _dev!.Count };
    }

    /// <summary>A masked-LM folder transformers loads: config.json, model.safetensors (<c>BertForMaskedLM</c>:
    /// <c>bert.*</c> + <c>cls.predictions.*</c>; <c>RobertaForMaskedLM</c>: <c>roberta.*</c> + <c>lm_head.*</c>) and the
    /// tokenizer files.</summary>
    public void SaveModel(string dir)
    {
        _model.SavePretrained(dir);
        ModelFolder.WriteTokenizer(dir, _tokenizerDir);
    }

    static (Tensor Ids, Tensor Labels) Collate(IReadOnlyList<MaskedExample> examples) =>
        (BlockCorpus.Stack(examples.Select(e => e.InputIds).ToList()), BlockCorpus.Stack(examples.Select(e => e.Labels).ToList()));   // [batch, len] each

    public void Dispose() => _model.Module.Dispose();
}

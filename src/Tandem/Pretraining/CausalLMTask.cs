using TorchSharp;
using Tandem.Checkpoints;
using Tandem.Evaluation;
using Tandem.Modeling;
using Tandem.Models.CausalLM;
using Tandem.Models.Gpt2;
using Tandem.Tokenization;
using Tandem.Training;
using static TorchSharp.torch;

namespace Tandem.Pretraining;

/// <summary>
/// Causal-LM pre-training as an <see cref="ITrainingTask"/>, as transformers' <c>run_clm</c>: a GPT-2 (saved as
/// <c>GPT2LMHeadModel</c>) learns to predict each next token of blocks of text. Every line ends with the tokenizer's
/// eos, the lines are packed into blocks (<see cref="BlockCorpus"/>), and the labels are the inputs, shifted inside
/// the loss. Evaluation: the mean loss per predicted token of the evaluation blocks and its perplexity.
/// </summary>
internal sealed class CausalLMTask : ITrainingTask
{
    readonly TrainConfig _config;
    readonly Gpt2LMHeadModel _model;
    readonly string _tokenizerDir;
    readonly BlockCorpus _data;
    readonly HashSet<string> _newKeys;

    CausalLMTask(TrainConfig config, Gpt2LMHeadModel model, ITokenizer tokenizer, string tokenizerDir, HashSet<string> newKeys, Action<string> log)
    {
        (_config, _model, _tokenizerDir, _newKeys) = (config, model, tokenizerDir, newKeys);
        if (tokenizer.VocabSize > model.Config.VocabSize)
            throw new TandemException($"model.tokenizer: {tokenizerDir} has {tokenizer.VocabSize} tokens, more than the model's vocab_size {model.Config.VocabSize}");
        if (config.Objective.BlockSize > model.Config.NPositions)
            throw new TandemException($"objective.block_size: {config.Objective.BlockSize} is longer than the model's n_positions {model.Config.NPositions}");
        int eos = tokenizer.EosTokenId ?? throw new TandemException($"model.tokenizer: {tokenizerDir} has no eos_token to end each text with");
        _data = new BlockCorpus(config, line => [.. tokenizer.EncodeToIds(line, addSpecialTokens: false), eos], log);
    }

    /// <summary>Builds the model (<c>model.decoder</c>: <c>random:config.json</c>, a GPT-2 folder to continue, or the
    /// checkpoint <paramref name="resumeDir"/>) and loads the text.</summary>
    public static CausalLMTask Create(TrainConfig config, string? resumeDir, IEnumerable<string>? resumedNewKeys, CheckpointStore store, Action<string> log)
    {
        var (spec, tokenizerDir, tokenizer) = PretrainingSource.Resolve(config.Model.Decoder!, config, store);
        var newKeys = new HashSet<string>(resumedNewKeys ?? []);
        var model = Build(resumeDir ?? spec, resumeDir is not null, tokenizer, newKeys, log);
        try { return new CausalLMTask(config, model, tokenizer, tokenizerDir, newKeys, log); }
        catch { model.Dispose(); throw; }
    }

    static Gpt2LMHeadModel Build(string spec, bool resuming, ITokenizer tokenizer, HashSet<string> newKeys, Action<string> log)
    {
        if (resuming)
        {
            log($"model loaded from {spec}");
            return Gpt2LMHeadModel.FromPretrained(spec);
        }
        if (!spec.StartsWith("random:", StringComparison.Ordinal))
        {
            if (!Directory.Exists(spec)) throw new TandemException($"model.decoder '{spec}': no such folder (give a GPT-2 folder or random:<config.json>)");
            log($"GPT2LMHeadModel continued from {spec}");
            return Gpt2LMHeadModel.FromPretrained(spec);
        }
        var config = Gpt2Config.Load(spec["random:".Length..]);
        config.IsDecoder = false;
        config.AddCrossAttention = false;
        config.Architectures = ["GPT2LMHeadModel"];
        // the text's bos/eos, so that generation from the checkpoint stops where the texts ended
        config.BosTokenId = tokenizer.BosTokenId ?? tokenizer.EosTokenId;
        config.EosTokenId = tokenizer.EosTokenId;
        var model = new Gpt2LMHeadModel(config);
        newKeys.UnionWith(model.named_parameters().Select(p => p.name));
        log($"GPT2LMHeadModel from {spec}: randomly initialised");
        return model;
    }

    public nn.Module Module => _model;
    public IReadOnlySet<string> NewKeys => _newKeys;
    public bool HasDev => _data.Dev is not null;

    public IReadOnlyList<int[]> Batches(int epoch) => _data.Batches(epoch);

    public long Tokens(int[] rows) => _data.Tokens(rows);

    public Tensor Loss(int[] rows, int epoch, int index)
    {
        var ids = BlockCorpus.Stack(rows.Select(r => _data.Train[r]).ToList());                 // [batch, len]
        var logits = _model.forward(new DecoderInput { InputIds = ids });                        // [batch, len, vocab]
        return CausalLMInputs.Loss(logits, ids, _config.Optimizer.LabelSmoothing);
    }

    public EvaluationResult Evaluate()
    {
        _model.eval();
        double lossSum = 0;
        long count = 0;
        using (no_grad())
            foreach (var chunk in _data.Dev!.Chunk(_data.BlocksPerBatch))
            {
                using var scope = NewDisposeScope();
                var ids = BlockCorpus.Stack(chunk);                                                // [batch, len]
                var logits = _model.forward(new DecoderInput { InputIds = ids });                  // [batch, len, vocab]
                long predicted = ids.size(0) * (ids.size(1) - 1);
                lossSum += CausalLMInputs.Loss(logits, ids).item<float>() * predicted;
                count += predicted;
            }
        double loss = lossSum / count;
        return new EvaluationResult { Loss = loss, Perplexity = Math.Exp(loss), Examples = _data.Dev!.Count };
    }

    /// <summary>A <c>GPT2LMHeadModel</c> folder: config.json, generation_config.json, model.safetensors and the
    /// tokenizer files.</summary>
    public void SaveModel(string dir)
    {
        _model.SavePretrained(dir);
        ModelFolder.WriteTokenizer(dir, _tokenizerDir);
    }

    public void Dispose() => _model.Dispose();
}

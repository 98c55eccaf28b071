using System.Text.Json.Serialization;

namespace Tandem.Training;

/// <summary>Everything a training run needs, as read from the config file (snake_case keys, in sections).</summary>
public sealed class TrainConfig
{
    /// <summary>Seed of weights initialisation, dropout and shuffling.</summary>
    [JsonPropertyName("seed")] public int Seed { get; set; } = 42;
    /// <summary>Intra-op CPU threads (0 = TorchSharp's default).</summary>
    [JsonPropertyName("threads")] public int Threads { get; set; }
    /// <summary>fp32, or bf16: matrix products in bfloat16 with float32 master weights, LayerNorm and loss
    /// (<see cref="Tandem.Modeling.Autocast"/>); about 1.9x faster training on CPUs with avx512_bf16.</summary>
    [JsonPropertyName("precision")] public string Precision { get; set; } = "fp32";
    /// <summary>What is learnt: seq2seq fine-tuning (the default) or masked-LM pre-training.</summary>
    [JsonPropertyName("objective")] public ObjectiveSection Objective { get; set; } = new();
    /// <summary>The model to fine-tune.</summary>
    [JsonPropertyName("model")] public ModelSection Model { get; set; } = new();
    /// <summary>Data files and tokenisation.</summary>
    [JsonPropertyName("data")] public DataSection Data { get; set; } = new();
    /// <summary>AdamW and the loss.</summary>
    [JsonPropertyName("optimizer")] public OptimizerSection Optimizer { get; set; } = new();
    /// <summary>Length of training and the learning-rate schedule.</summary>
    [JsonPropertyName("schedule")] public ScheduleSection Schedule { get; set; } = new();
    /// <summary>Batch sizes.</summary>
    [JsonPropertyName("batching")] public BatchingSection Batching { get; set; } = new();
    /// <summary>When and how to evaluate.</summary>
    [JsonPropertyName("evaluation")] public EvaluationSection Evaluation { get; set; } = new();
    /// <summary>Run folder, checkpoints, logs.</summary>
    [JsonPropertyName("output")] public OutputSection Output { get; set; } = new();
}

/// <summary>The training objective. For <c>mlm</c> (masked-LM pre-training) <c>model.encoder</c> is the BERT or RoBERTa to train
/// (<c>random:config.json</c> from scratch, or a folder to continue), the data splits are plain text (one text a
/// line), packed into blocks of <see cref="BlockSize"/> ids. For <c>clm</c> (causal-LM pre-training)
/// <c>model.decoder</c> is the GPT-2 to train, and the text is read the same way, each line ended by eos.</summary>
public sealed class ObjectiveSection
{
    /// <summary>The seq2seq objective's name.</summary>
    public const string Seq2Seq = "seq2seq";
    /// <summary>The masked-LM objective's name.</summary>
    public const string MaskedLM = "mlm";
    /// <summary>The causal-LM objective's name.</summary>
    public const string CausalLM = "clm";

    /// <summary>seq2seq, mlm or clm.</summary>
    [JsonPropertyName("type")] public string Type { get; set; } = Seq2Seq;
    /// <summary>mlm: share of the tokens chosen for prediction.</summary>
    [JsonPropertyName("mlm_probability")] public double MlmProbability { get; set; } = 0.15;
    /// <summary>mlm: choose whole words (a token and its <c>##</c> pieces; with byte-level BPE, a <c>Ġ</c> token and
    /// the tokens up to the next one) instead of single tokens.</summary>
    [JsonPropertyName("whole_word_mask")] public bool WholeWordMask { get; set; }
    /// <summary>mlm, clm: ids per block (lines are concatenated and cut into blocks of this length).</summary>
    [JsonPropertyName("block_size")] public int BlockSize { get; set; } = 128;
}

/// <summary>The model: one seq2seq folder, or an encoder and a decoder to warm-start from.</summary>
public sealed class ModelSection
{
    /// <summary>A seq2seq model folder (or a name such as "minilm" the resolver knows).</summary>
    [JsonPropertyName("path")] public string? Path { get; set; }
    /// <summary>Encoder checkpoint folder, name, or <c>random:config.json</c>.</summary>
    [JsonPropertyName("encoder")] public string? Encoder { get; set; }
    /// <summary>Decoder checkpoint folder, name, or <c>random:config.json</c>.</summary>
    [JsonPropertyName("decoder")] public string? Decoder { get; set; }
    /// <summary>UniLM instead of an encoder-decoder: one BERT checkpoint (folder, name or <c>random:config.json</c>)
    /// with the prefix mask.</summary>
    [JsonPropertyName("unilm")] public string? Unilm { get; set; }
    /// <summary>Share encoder and decoder weights (BERTShare).</summary>
    [JsonPropertyName("tie_encoder_decoder")] public bool TieEncoderDecoder { get; set; }
    /// <summary>One tokenizer folder for both sides; by default the model folder's tokenizers, or (warm start) each
    /// side's checkpoint keeps its own.</summary>
    [JsonPropertyName("tokenizer")] public string? Tokenizer { get; set; }
}

/// <summary>Data files: named splits of (source, target) pairs.</summary>
public sealed class DataSection
{
    /// <summary>Split name → file (<c>.jsonl</c>, <c>.tsv</c> or <c>.csv</c>).</summary>
    [JsonPropertyName("splits")] public Dictionary<string, string> Splits { get; set; } = [];
    /// <summary>The split trained on.</summary>
    [JsonPropertyName("train_split")] public string TrainSplit { get; set; } = "train";
    /// <summary>The split evaluated on (none when absent from <see cref="Splits"/>).</summary>
    [JsonPropertyName("eval_split")] public string EvalSplit { get; set; } = "dev";
    /// <summary>auto, jsonl, tsv or csv.</summary>
    [JsonPropertyName("format")] public string Format { get; set; } = "auto";
    /// <summary>Source field name (JSON key or header column).</summary>
    [JsonPropertyName("source_field")] public string SourceField { get; set; } = "source";
    /// <summary>Target field name.</summary>
    [JsonPropertyName("target_field")] public string TargetField { get; set; } = "target";
    /// <summary>Longest source in ids, special tokens included.</summary>
    [JsonPropertyName("max_source_length")] public int MaxSourceLength { get; set; } = 128;
    /// <summary>Longest target in ids, eos included.</summary>
    [JsonPropertyName("max_target_length")] public int MaxTargetLength { get; set; } = 128;
    /// <summary>Folder of the tokenisation cache; default <c>OUTPUT_DIR/cache</c>.</summary>
    [JsonPropertyName("cache_dir")] public string? CacheDir { get; set; }
}

/// <summary>AdamW, gradient handling and the loss.</summary>
public sealed class OptimizerSection
{
    /// <summary>Peak learning rate.</summary>
    [JsonPropertyName("lr")] public double Lr { get; set; } = 5e-5;
    /// <summary>Peak learning rate of newly initialised weights (cross-attention, new heads); null = <see cref="Lr"/>.</summary>
    [JsonPropertyName("new_weights_lr")] public double? NewWeightsLr { get; set; }
    /// <summary>Decoupled weight decay (not applied to biases and LayerNorm weights).</summary>
    [JsonPropertyName("weight_decay")] public double WeightDecay { get; set; } = 0.01;
    /// <summary>Adam beta1.</summary>
    [JsonPropertyName("beta1")] public double Beta1 { get; set; } = 0.9;
    /// <summary>Adam beta2.</summary>
    [JsonPropertyName("beta2")] public double Beta2 { get; set; } = 0.999;
    /// <summary>Adam epsilon.</summary>
    [JsonPropertyName("eps")] public double Eps { get; set; } = 1e-8;
    /// <summary>Gradient clipping by global norm (0 = off).</summary>
    [JsonPropertyName("max_grad_norm")] public double MaxGradNorm { get; set; } = 1.0;
    /// <summary>Exponential moving average of the weights (0 = off; e.g. 0.995): evaluation and checkpoints use the
    /// average, training continues from the raw weights.</summary>
    [JsonPropertyName("ema_decay")] public double EmaDecay { get; set; }
    /// <summary>Label smoothing of the loss.</summary>
    [JsonPropertyName("label_smoothing")] public double LabelSmoothing { get; set; }
    /// <summary>Keep the encoder's weights fixed.</summary>
    [JsonPropertyName("freeze_encoder")] public bool FreezeEncoder { get; set; }
    /// <summary>On a NaN/inf loss skip the batch instead of stopping.</summary>
    [JsonPropertyName("skip_nonfinite")] public bool SkipNonFinite { get; set; }
}

/// <summary>How long to train and the learning-rate schedule.</summary>
public sealed class ScheduleSection
{
    /// <summary>Optimizer steps; 0 = <see cref="Epochs"/> epochs.</summary>
    [JsonPropertyName("max_steps")] public int MaxSteps { get; set; }
    /// <summary>Time budget in minutes (0 = none): training stops when it is spent (with a final evaluation and
    /// checkpoint), and the learning-rate decay follows the spent fraction when that is ahead of the step count.
    /// Runs with a time budget are not step-for-step reproducible.</summary>
    [JsonPropertyName("max_minutes")] public double MaxMinutes { get; set; }
    /// <summary>Epochs when <see cref="MaxSteps"/> is 0.</summary>
    [JsonPropertyName("epochs")] public int Epochs { get; set; } = 3;
    /// <summary>Linear warm-up steps.</summary>
    [JsonPropertyName("warmup_steps")] public int WarmupSteps { get; set; }
    /// <summary>Warm-up as a fraction of all steps (used when <see cref="WarmupSteps"/> is 0).</summary>
    [JsonPropertyName("warmup_ratio")] public double WarmupRatio { get; set; }
    /// <summary>Decay after warm-up: linear, cosine or constant.</summary>
    [JsonPropertyName("decay")] public string Decay { get; set; } = "linear";
}

/// <summary>Batches.</summary>
public sealed class BatchingSection
{
    /// <summary>Padded source + target tokens per batch.</summary>
    [JsonPropertyName("max_tokens")] public int MaxTokens { get; set; } = 4096;
    /// <summary>Most rows per batch (0 = only the token budget limits).</summary>
    [JsonPropertyName("max_batch_size")] public int MaxBatchSize { get; set; }
    /// <summary>Batches per optimizer step.</summary>
    [JsonPropertyName("accumulation_steps")] public int AccumulationSteps { get; set; } = 1;
    /// <summary>Shuffle the training data each epoch.</summary>
    [JsonPropertyName("shuffle")] public bool Shuffle { get; set; } = true;
}

/// <summary>Evaluation, early stopping.</summary>
public sealed class EvaluationSection
{
    /// <summary>Evaluate every this many optimizer steps (0 = only at the end of each epoch and of training).</summary>
    [JsonPropertyName("every_steps")] public int EverySteps { get; set; }
    /// <summary>The metric that chooses the best checkpoint and drives early stopping: loss, exact_match, token_accuracy, bleu.</summary>
    [JsonPropertyName("metric")] public string Metric { get; set; } = "loss";
    /// <summary>Stop after this many evaluations without improvement (0 = never).</summary>
    [JsonPropertyName("patience")] public int Patience { get; set; }
    /// <summary>Run generation (exact match, token accuracy, BLEU) and not only the loss.</summary>
    [JsonPropertyName("generate")] public bool Generate { get; set; } = true;
    /// <summary>Generate for at most this many dev examples (0 = all).</summary>
    [JsonPropertyName("max_examples")] public int MaxExamples { get; set; }
    /// <summary>Beams for evaluation generation.</summary>
    [JsonPropertyName("num_beams")] public int NumBeams { get; set; } = 1;
    /// <summary>Longest generated output (new tokens).</summary>
    [JsonPropertyName("max_new_tokens")] public int MaxNewTokens { get; set; } = 64;
    /// <summary>Lower-case before BLEU.</summary>
    [JsonPropertyName("lowercase")] public bool Lowercase { get; set; }
}

/// <summary>Where the run writes.</summary>
public sealed class OutputSection
{
    /// <summary>The run folder.</summary>
    [JsonPropertyName("dir")] public string Dir { get; set; } = "runs/run";
    /// <summary>Save a checkpoint every this many steps (0 = at each evaluation).</summary>
    [JsonPropertyName("save_every_steps")] public int SaveEverySteps { get; set; }
    /// <summary>Most recent checkpoints kept.</summary>
    [JsonPropertyName("keep_last")] public int KeepLast { get; set; } = 1;
    /// <summary>Best checkpoints (by the evaluation metric) kept.</summary>
    [JsonPropertyName("keep_best")] public int KeepBest { get; set; } = 1;
    /// <summary>Log a progress line every this many steps.</summary>
    [JsonPropertyName("log_every_steps")] public int LogEverySteps { get; set; } = 10;
    /// <summary>Write PNG plots at the end.</summary>
    [JsonPropertyName("plots")] public bool Plots { get; set; } = true;
}

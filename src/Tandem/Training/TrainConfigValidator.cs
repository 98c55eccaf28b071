namespace Tandem.Training;

/// <summary>Checks the values of a <see cref="TrainConfig"/>, naming the key path of the first bad one.</summary>
internal static class TrainConfigValidator
{
    static void Fail(string key, string message) => throw new TandemException($"{key}: {message}");
    static void Positive(string key, double v) { if (!(v > 0)) Fail(key, $"must be > 0 (got {v})"); }
    static void NonNegative(string key, double v) { if (!(v >= 0)) Fail(key, $"must be >= 0 (got {v})"); }
    static void Fraction(string key, double v) { if (!(v >= 0 && v < 1)) Fail(key, $"must be in [0, 1) (got {v})"); }

    static void ValidateSeq2SeqModel(ModelSection m)
    {
        int ways = (m.Path is not null ? 1 : 0) + (m.Encoder is not null || m.Decoder is not null ? 1 : 0) + (m.Unilm is not null ? 1 : 0);
        if (ways == 0)
            Fail("model", "give model.path (a seq2seq folder), both model.encoder and model.decoder, or model.unilm");
        if (ways > 1)
            Fail("model", "give only one of model.path, model.encoder/model.decoder, model.unilm");
        if (m.Path is null && m.Unilm is null && (m.Encoder is null || m.Decoder is null))
            Fail(m.Encoder is null ? "model.encoder" : "model.decoder", "an encoder-decoder needs both model.encoder and model.decoder");
        if (m.Unilm is not null && m.TieEncoderDecoder)
            Fail("model.tie_encoder_decoder", "a UniLM model is a single stack; tying does not apply");
    }

    static void ValidateMaskedLM(TrainConfig c)
    {
        var m = c.Model;
        if (m.Encoder is null) Fail("model.encoder", "masked-LM pre-training needs model.encoder (random:config.json, or a BERT or RoBERTa folder to continue)");
        if (m.Path is not null || m.Decoder is not null || m.Unilm is not null)
            Fail("model", "masked-LM pre-training trains one model: give only model.encoder (and model.tokenizer)");
        if (m.TieEncoderDecoder) Fail("model.tie_encoder_decoder", "does not apply to masked-LM pre-training");
        if (m.Encoder is { } enc && enc.StartsWith("random:", StringComparison.Ordinal) && m.Tokenizer is null)
            Fail("model.tokenizer", "a model from random:config.json needs a tokenizer folder (e.g. from tandem tokenizer train)");
        var o = c.Objective;
        if (o.MlmProbability is <= 0 or >= 1) Fail("objective.mlm_probability", $"must be between 0 and 1 (got {o.MlmProbability})");
        if (o.BlockSize < 2) Fail("objective.block_size", $"must be >= 2 (got {o.BlockSize})");
        var metric = c.Evaluation.Metric;
        if (metric != "loss" && !Evaluation.EvaluationResult.IsMaskedLMMetric(metric))
            Fail("evaluation.metric", $"masked-LM pre-training measures loss, masked_accuracy and perplexity (got '{metric}')");
    }

    static void ValidateCausalLM(TrainConfig c)
    {
        var m = c.Model;
        if (m.Decoder is null) Fail("model.decoder", "causal-LM pre-training needs model.decoder (random:config.json, or a GPT-2 folder to continue)");
        if (m.Path is not null || m.Encoder is not null || m.Unilm is not null)
            Fail("model", "causal-LM pre-training trains one GPT-2: give only model.decoder (and model.tokenizer)");
        if (m.TieEncoderDecoder) Fail("model.tie_encoder_decoder", "does not apply to causal-LM pre-training");
        if (m.Decoder is { } dec && dec.StartsWith("random:", StringComparison.Ordinal) && m.Tokenizer is null)
            Fail("model.tokenizer", "a model from random:config.json needs a tokenizer folder (e.g. from tandem tokenizer train --type bpe)");
        if (c.Objective.BlockSize < 2) Fail("objective.block_size", $"must be >= 2 (got {c.Objective.BlockSize})");
        if (c.Evaluation.Metric is not ("loss" or "perplexity"))
            Fail("evaluation.metric", $"causal-LM pre-training measures loss and perplexity (got '{c.Evaluation.Metric}')");
    }

    public static void Validate(TrainConfig c)
    {
        NonNegative("threads", c.Threads);
        if (c.Precision is not ("fp32" or "bf16")) Fail("precision", $"must be fp32 or bf16 (got '{c.Precision}')");
        switch (c.Objective.Type)
        {
            case ObjectiveSection.MaskedLM: ValidateMaskedLM(c); break;
            case ObjectiveSection.CausalLM: ValidateCausalLM(c); break;
            case ObjectiveSection.Seq2Seq: ValidateSeq2SeqModel(c.Model); break;
            default: Fail("objective.type", $"must be seq2seq, mlm or clm (got '{c.Objective.Type}')"); break;
        }
        var d = c.Data;
        if (d.Splits.Count == 0) Fail("data.splits", "no data files (e.g. data.splits.train=train.jsonl)");
        if (!d.Splits.ContainsKey(d.TrainSplit)) Fail("data.train_split", $"'{d.TrainSplit}' is not one of data.splits ({string.Join(", ", d.Splits.Keys)})");
        if (d.Format is not ("auto" or "jsonl" or "tsv" or "csv")) Fail("data.format", $"must be auto, jsonl, tsv or csv (got '{d.Format}')");
        if (d.MaxSourceLength < 3) Fail("data.max_source_length", $"must be >= 3 (got {d.MaxSourceLength})");
        if (d.MaxTargetLength < 2) Fail("data.max_target_length", $"must be >= 2 (got {d.MaxTargetLength})");
        var o = c.Optimizer;
        Positive("optimizer.lr", o.Lr);
        if (o.NewWeightsLr is { } nl) Positive("optimizer.new_weights_lr", nl);
        NonNegative("optimizer.weight_decay", o.WeightDecay);
        Fraction("optimizer.beta1", o.Beta1);
        Fraction("optimizer.beta2", o.Beta2);
        Positive("optimizer.eps", o.Eps);
        NonNegative("optimizer.max_grad_norm", o.MaxGradNorm);
        Fraction("optimizer.label_smoothing", o.LabelSmoothing);
        Fraction("optimizer.ema_decay", o.EmaDecay);
        var s = c.Schedule;
        NonNegative("schedule.max_steps", s.MaxSteps);
        if (s.MaxSteps == 0) Positive("schedule.epochs", s.Epochs);
        NonNegative("schedule.warmup_steps", s.WarmupSteps);
        Fraction("schedule.warmup_ratio", s.WarmupRatio);
        if (s.Decay is not ("linear" or "cosine" or "constant")) Fail("schedule.decay", $"must be linear, cosine or constant (got '{s.Decay}')");
        var b = c.Batching;
        Positive("batching.max_tokens", b.MaxTokens);
        NonNegative("batching.max_batch_size", b.MaxBatchSize);
        Positive("batching.accumulation_steps", b.AccumulationSteps);
        var e = c.Evaluation;
        NonNegative("evaluation.every_steps", e.EverySteps);
        if (!Evaluation.EvaluationResult.MetricNames.Contains(e.Metric))
            Fail("evaluation.metric", $"must be one of {string.Join(", ", Evaluation.EvaluationResult.MetricNames)} (got '{e.Metric}')");
        bool seq2seq = c.Objective.Type == ObjectiveSection.Seq2Seq;
        if (seq2seq && Evaluation.EvaluationResult.IsMaskedLMMetric(e.Metric))
            Fail("evaluation.metric", $"'{e.Metric}' is a metric of pre-training (objective.type=mlm or clm)");
        if (seq2seq && e.Metric != "loss" && !e.Generate) Fail("evaluation.metric", $"'{e.Metric}' needs evaluation.generate = true");
        NonNegative("evaluation.patience", e.Patience);
        NonNegative("evaluation.max_examples", e.MaxExamples);
        Positive("evaluation.num_beams", e.NumBeams);
        Positive("evaluation.max_new_tokens", e.MaxNewTokens);
        var u = c.Output;
        if (string.IsNullOrWhiteSpace(u.Dir)) Fail("output.dir", "must not be empty");
        NonNegative("output.save_every_steps", u.SaveEverySteps);
        Positive("output.keep_last", u.KeepLast);
        NonNegative("output.keep_best", u.KeepBest);
        Positive("output.log_every_steps", u.LogEverySteps);
    }
}

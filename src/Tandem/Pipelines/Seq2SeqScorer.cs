using Tandem.Modeling;
using static TorchSharp.torch;

namespace Tandem.Pipelines;

/// <summary>How likely a target is given a source: per-token log-probabilities and the mean loss.</summary>
/// <param name="Tokens">The target tokens scored (as strings).</param>
/// <param name="TokenIds">Their ids.</param>
/// <param name="TokenLogprobs">log p(token | source, earlier target tokens), one per target token.</param>
/// <param name="Loss">Mean negative log-probability (the training loss without label smoothing).</param>
public sealed record TargetScore(string[] Tokens, long[] TokenIds, double[] TokenLogprobs, double Loss);

/// <summary>Teacher-forced scoring of (source, target) pairs with a seq2seq model.</summary>
public static class Seq2SeqScorer
{
    /// <summary>Scores text pairs: the source as the encoder reads it (source tokenizer, e.g. <c>[CLS] source
    /// [SEP]</c>), the target as the decoder produces it (target tokenizer: its tokens then the EOS).</summary>
    public static TargetScore Score(Seq2SeqPipeline pipeline, string source, string target)
    {
        if (string.IsNullOrWhiteSpace(source)) throw new TandemException("the source text is empty");
        if (string.IsNullOrWhiteSpace(target)) throw new TandemException("the target text is empty");
        var src = TextInputs.Encode(pipeline.Tokenizers.Source, [source], pipeline.MaxSourceLength, null).InputIds[0];
        var tgt = pipeline.Tokenizers.EncodeTarget(target, int.MaxValue).Select(i => (long)i).ToArray();
        return ScoreIds(pipeline, src, tgt);
    }

    /// <summary>Scores raw ids: <paramref name="targetIds"/> are the labels exactly as given (end them with EOS).</summary>
    public static TargetScore ScoreIds(Seq2SeqPipeline pipeline, long[] sourceIds, long[] targetIds)
    {
        if (sourceIds.Length == 0) throw new TandemException("--source-ids is empty");
        if (targetIds.Length == 0) throw new TandemException("--target-ids is empty");
        foreach (var (name, ids, vocab) in new[] { ("source", sourceIds, pipeline.Tokenizers.Source.VocabSize), ("target", targetIds, pipeline.Tokenizers.Target.VocabSize) })
            if (ids.FirstOrDefault(t => t < 0 || t >= vocab, -1) is var bad and not -1)
                throw new TandemException($"{name} token id {bad} is outside the vocabulary (0..{vocab - 1})");
        var model = pipeline.Model;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var device = model.Module.parameters().First().device;
        var input = tensor(sourceIds, [1, sourceIds.Length]).to(device);
        var labels = tensor(targetIds, [1, targetIds.Length]).to(device);
        using var output = model.Forward(new Seq2SeqInput { InputIds = input, AttentionMask = ones_like(input), Labels = labels });
        var logprobs = output.Logits.log_softmax(-1).gather(-1, labels.unsqueeze(-1)).squeeze(-1)[0]   // [tgtLen]
            .to(ScalarType.Float64).cpu().data<double>().ToArray();
        var tokens = pipeline.Tokenizers.Target.ConvertIdsToTokens(targetIds).ToArray();
        return new TargetScore(tokens, targetIds, logprobs, -logprobs.Average());
    }
}

namespace Tandem.Generation;

public sealed partial class GenerationConfig
{
    /// <summary>Checks the options on their own (lengths against the prompt are checked at generate time) and
    /// throws a <see cref="TandemException"/> naming the first bad option.</summary>
    public void Validate()
    {
        Require(MaxLength >= 1, $"max_length must be at least 1 (got {MaxLength}).");
        Require(MaxNewTokens is null or > 0, $"max_new_tokens must be greater than 0 (got {MaxNewTokens}).");
        Require(MinLength >= 0, $"min_length must not be negative (got {MinLength}).");
        Require(MinNewTokens is null or >= 0, $"min_new_tokens must not be negative (got {MinNewTokens}).");
        Require(NumBeams >= 1, $"num_beams must be at least 1 (got {NumBeams}).");
        Require(NumReturnSequences >= 1, $"num_return_sequences must be at least 1 (got {NumReturnSequences}).");
        Require(!(DoSample && NumBeams > 1),
            $"do_sample with num_beams > 1 (beam sampling) is not supported (num_beams={NumBeams}).");
        if (!DoSample && NumBeams == 1)
            Require(NumReturnSequences == 1,
                $"num_return_sequences={NumReturnSequences} needs beam search (num_beams > 1) or do_sample; " +
                "greedy search returns one sequence per input.");
        if (!DoSample && NumBeams > 1)
            Require(NumReturnSequences <= NumBeams,
                $"num_return_sequences ({NumReturnSequences}) must not exceed num_beams ({NumBeams}).");
        Require(double.IsFinite(LengthPenalty), $"length_penalty must be a finite number (got {LengthPenalty}).");
        Require(Temperature > 0 && double.IsFinite(Temperature),
            $"temperature must be a strictly positive number (got {Temperature}).");
        Require(TopK >= 0, $"top_k must not be negative (got {TopK}).");
        Require(TopP > 0 && TopP <= 1, $"top_p must be in (0, 1] (got {TopP}).");
        Require(RepetitionPenalty > 0 && double.IsFinite(RepetitionPenalty),
            $"repetition_penalty must be a strictly positive number (got {RepetitionPenalty}).");
        Require(NoRepeatNgramSize >= 0, $"no_repeat_ngram_size must not be negative (got {NoRepeatNgramSize}).");
        CheckIds("eos_token_id", EosTokenId);
        CheckIds("forced_eos_token_id", ForcedEosTokenId);
        CheckId("pad_token_id", PadTokenId);
        CheckId("decoder_start_token_id", DecoderStartTokenId);
        CheckId("bos_token_id", BosTokenId);
        CheckId("forced_bos_token_id", ForcedBosTokenId);
        if (BadWordsIds is not null)
        {
            Require(BadWordsIds.Count > 0, "bad_words_ids must not be an empty list.");
            foreach (var seq in BadWordsIds)
            {
                Require(seq is { Count: > 0 }, "bad_words_ids must not contain an empty sequence.");
                CheckIds("bad_words_ids", seq);
            }
        }
    }

    private static void CheckId(string name, int? id) =>
        Require(id is null or >= 0, $"{name} must not be negative (got {id}).");

    private static void CheckIds(string name, IReadOnlyList<int>? ids)
    {
        if (ids is null) return;
        Require(ids.Count > 0, $"{name} must not be an empty list.");
        foreach (var id in ids) Require(id >= 0, $"{name} must not contain negative ids (got {id}).");
    }

    private static void Require(bool ok, string message)
    {
        if (!ok) throw new TandemException(message);
    }
}

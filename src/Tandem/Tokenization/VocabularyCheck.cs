namespace Tandem.Tokenization;

/// <summary>Checks that a tokenizer's ids fit a model's embedding matrix.</summary>
public static class VocabularyCheck
{
    /// <summary>Throws when <paramref name="tokenizer"/> can produce ids the embedding matrix of
    /// <paramref name="embeddingRows"/> rows has no row for. (A smaller vocabulary is fine: checkpoints often pad
    /// their embedding matrix.)</summary>
    public static void EnsureFits(ITokenizer tokenizer, int embeddingRows, string tokenizerDir, string what = "model")
    {
        if (tokenizer.VocabSize > embeddingRows)
            throw new TandemException($"{Path.Combine(tokenizerDir, MainFile(tokenizer))} has {tokenizer.VocabSize} tokens but the {what}'s embedding matrix has {embeddingRows} rows (vocab_size); use the tokenizer the {what} was trained with");
    }

    // The file that holds the vocabulary, for the error.
    private static string MainFile(ITokenizer tokenizer) => tokenizer switch
    {
        PipelineTokenizer p when p.Files.ContainsKey(PretrainedFiles.TokenizerJsonFile) => PretrainedFiles.TokenizerJsonFile,
        PipelineTokenizer => PretrainedFiles.BpeVocabFile,
        _ => PretrainedFiles.VocabFile,
    };
}

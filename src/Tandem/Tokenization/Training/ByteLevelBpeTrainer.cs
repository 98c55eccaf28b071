namespace Tandem.Tokenization.Training;

/// <summary>
/// Trains a byte-level BPE (GPT-2's and RoBERTa's kind) from text files as Hugging Face's tokenizers does
/// (<c>ByteLevelBPETokenizer.train</c>): each line is split by GPT-2's pattern, every word becomes its UTF-8 bytes in
/// GPT-2's printable byte alphabet, and the most frequent adjacent pair is merged until the vocabulary has its size
/// (special tokens first, then the 256 bytes, then the merges in order). Every text therefore encodes without an
/// unknown token. The files are streamed: only the word counts are held in memory. The folder written holds
/// <c>vocab.json</c>, <c>merges.txt</c>, <c>tokenizer_config.json</c>, <c>special_tokens_map.json</c> and
/// <c>tokenizer.json</c>.
/// </summary>
public static class ByteLevelBpeTrainer
{
    /// <summary>Trains on <paramref name="files"/> (UTF-8 text, read line by line) and writes the tokenizer folder
    /// <paramref name="outDir"/> whole or not at all; returns the tokenizer read back from it.</summary>
    /// <exception cref="TandemException">A file is missing or not UTF-8, the options are invalid, or the folder exists.</exception>
    public static ITokenizer TrainAndSave(IReadOnlyList<string> files, BpeTrainingOptions options, string outDir,
        IProgress<VocabularyTrainingProgress>? progress = null)
    {
        options.Validate();
        var counts = CorpusWords.Count(files, line => ByteLevel.Split(line, addPrefixSpace: false, useRegex: true), progress);
        var bytes = ByteLevel.Alphabet.Order().Select(c => c.ToString());
        var merges = new BpeMerges([.. options.SpecialTokens, .. bytes], (a, b) => a + b);
        foreach (var (word, count) in counts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            merges.AddWord(ByteLevel.Encode(word).Select(c => c.ToString()), count);
        merges.Run(options.VocabSize, options.MinFrequency,
            progress is null ? null : new Progress<int>(n => progress.Report(new("merging", n, options.VocabSize))));
        Tandem.Training.AtomicFile.PublishFolder(outDir, tmp => BpeFilesWriter.Write(tmp, merges.Symbols, merges.Merges, options));
        return AutoTokenizer.FromPretrained(outDir);
    }
}

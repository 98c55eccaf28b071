using System.Text;

namespace Tandem.Tokenization.Training;

/// <summary>
/// Trains a WordPiece vocabulary from text files as Hugging Face's tokenizers does (<c>BertWordPieceTokenizer.train</c>):
/// the text is split into words by BERT's rules (lower-casing and accent stripping as configured), every character
/// becomes a symbol (<c>##c</c> inside a word), and the most frequent adjacent pieces are merged until the vocabulary
/// has its size (special tokens first, then the alphabet, then the merges in the order they were made). The files are streamed line by line: only the word counts are held in memory, so a corpus larger
/// than memory works. The result is an ordinary <see cref="WordPieceTokenizer"/> (vocab.txt, tokenizer_config.json).
/// </summary>
public static class WordPieceTrainer
{
    /// <summary>The continuing-subword prefix.</summary>
    public const string Prefix = "##";

    /// <summary>Trains on <paramref name="files"/> (UTF-8 text; each line read as text, empty lines skipped).</summary>
    /// <exception cref="TandemException">A file is missing or not UTF-8, or the options are invalid.</exception>
    public static WordPieceTokenizer Train(IReadOnlyList<string> files, VocabularyTrainingOptions options,
        IProgress<VocabularyTrainingProgress>? progress = null)
    {
        options.Validate();
        var basic = new BasicTokenizer(options.Lowercase, options.StripAccents ?? options.Lowercase, splitCjk: true);
        var counts = CorpusWords.Count(files, basic.Split, progress);
        var alphabet = Alphabet(counts, options.LimitAlphabet);
        // every character in both forms (word-initial and ##-continued), so a new word made of seen characters never
        // becomes [UNK] (transformers' trainer adds the ## form only of the characters it saw inside words)
        var letters = alphabet.Order(StringComparer.Ordinal).ToList();
        var merges = new BpeMerges([.. options.SpecialTokens, .. letters, .. letters.Select(c => Prefix + c)],
            (a, b) => a + (b.StartsWith(Prefix, StringComparison.Ordinal) ? b[Prefix.Length..] : b));
        foreach (var (word, count) in counts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var symbols = Symbols(word, alphabet);
            if (symbols.Count > 0) merges.AddWord(symbols, count);
        }
        merges.Run(options.VocabSize, options.MinFrequency,
            progress is null ? null : new Progress<int>(n => progress.Report(new("merging", n, options.VocabSize))));
        var vocab = string.Join("\n", merges.Symbols) + "\n";
        var tokenizerOptions = new TokenizerOptions { DoLowerCase = options.Lowercase, StripAccents = options.StripAccents ?? options.Lowercase };
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(vocab));
        return WordPieceTokenizer.Create(stream, tokenizerOptions);
    }

    /// <summary>Trains and writes the tokenizer folder <paramref name="outDir"/> (vocab.txt, tokenizer_config.json,
    /// special_tokens_map.json, and the same tokenizer as tokenizer.json) whole or not at all.</summary>
    public static WordPieceTokenizer TrainAndSave(IReadOnlyList<string> files, VocabularyTrainingOptions options, string outDir,
        IProgress<VocabularyTrainingProgress>? progress = null)
    {
        WordPieceTokenizer? tokenizer = null;
        Tandem.Training.AtomicFile.PublishFolder(outDir, tmp =>
        {
            (tokenizer = Train(files, options, progress)).SavePretrained(tmp);
            TokenizerJsonWriter.WriteWordPiece(Path.Combine(tmp, PretrainedFiles.TokenizerJsonFile), tokenizer);
        });
        return tokenizer!;
    }

    /// <summary>The characters kept as symbols: all of them, or the <paramref name="limit"/> most frequent.</summary>
    static HashSet<string> Alphabet(Dictionary<string, long> counts, int limit)
    {
        var chars = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (word, count) in counts)
            foreach (var c in Characters(word))
                chars[c] = chars.GetValueOrDefault(c) + count;
        var kept = limit > 0 && chars.Count > limit
            ? chars.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(limit).Select(kv => kv.Key)
            : chars.Keys;
        return new HashSet<string>(kept, StringComparer.Ordinal);
    }

    /// <summary>A word's symbols: its first character, then <c>##c</c> for each following one; characters outside
    /// the alphabet are left out (as transformers' trainer does).</summary>
    static List<string> Symbols(string word, HashSet<string> alphabet)
    {
        var symbols = new List<string>();
        foreach (var c in Characters(word))
            if (alphabet.Contains(c)) symbols.Add(symbols.Count == 0 ? c : Prefix + c);
        return symbols;
    }

    /// <summary>The characters of a word as strings (a surrogate pair is one character).</summary>
    static IEnumerable<string> Characters(string word)
    {
        for (int i = 0; i < word.Length; i += char.IsSurrogatePair(word, i) ? 2 : 1)
            yield return char.IsSurrogatePair(word, i) ? word.Substring(i, 2) : word[i].ToString();
    }
}

namespace Tandem.Tokenization;

/// <summary>
/// Loads whichever tokenizer a Hugging Face folder holds, as transformers' <c>AutoTokenizer</c> prefers the fast
/// file: <c>tokenizer.json</c> if present; else <c>vocab.json</c> + <c>merges.txt</c> (byte-level BPE: GPT-2, or
/// RoBERTa with its <c>&lt;s&gt; … &lt;/s&gt;</c> template); else <c>vocab.txt</c> (<see cref="WordPieceTokenizer"/>).
/// </summary>
public static class AutoTokenizer
{
    /// <summary>Loads the tokenizer of <paramref name="dir"/>.</summary>
    /// <param name="dir">The folder.</param>
    /// <exception cref="TandemException">The folder has no tokenizer files, or they are malformed or of a kind
    /// Tandem does not read.</exception>
    public static ITokenizer FromPretrained(string dir)
    {
        if (!Directory.Exists(dir))
            throw new TandemException($"tokenizer folder not found: {dir}");
        if (File.Exists(Path.Combine(dir, PretrainedFiles.TokenizerJsonFile)))
            return TokenizerJson.FromPretrained(dir);
        if (File.Exists(Path.Combine(dir, PretrainedFiles.BpeVocabFile)) || File.Exists(Path.Combine(dir, PretrainedFiles.MergesFile)))
            return BpeFiles.FromPretrained(dir);
        if (File.Exists(Path.Combine(dir, PretrainedFiles.VocabFile)))
            return WordPieceTokenizer.FromPretrained(dir);
        throw new TandemException($"{dir} has no tokenizer files (tokenizer.json, vocab.json + merges.txt, or vocab.txt)");
    }

    /// <summary>Whether <paramref name="dir"/> holds a tokenizer <see cref="FromPretrained"/> would try to read.</summary>
    /// <param name="dir">The folder.</param>
    public static bool Exists(string dir) =>
        Directory.Exists(dir) && new[] { PretrainedFiles.TokenizerJsonFile, PretrainedFiles.BpeVocabFile, PretrainedFiles.MergesFile, PretrainedFiles.VocabFile }
            .Any(f => File.Exists(Path.Combine(dir, f)));
}

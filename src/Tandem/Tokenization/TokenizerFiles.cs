namespace Tandem.Tokenization;

/// <summary>Compares the tokenizer files of two folders (ensembles need one tokenizer).</summary>
public static class TokenizerFiles
{
    /// <summary>The first tokenizer file (of <see cref="Seq2SeqTokenizers"/>' layout, <c>encoder_tokenizer/</c>
    /// included) that one folder has and the other lacks or holds different bytes in, or null when they agree.</summary>
    /// <param name="a">A folder.</param>
    /// <param name="b">Another folder.</param>
    public static string? FirstDifference(string a, string b)
    {
        foreach (var sub in new[] { "", Seq2SeqTokenizers.EncoderFolder })
            foreach (var name in PretrainedFiles.AllFiles)
            {
                string x = Path.Combine(a, sub, name), y = Path.Combine(b, sub, name);
                if (File.Exists(x) != File.Exists(y) || File.Exists(x) && !File.ReadAllBytes(x).AsSpan().SequenceEqual(File.ReadAllBytes(y)))
                    return Path.Combine(sub, name);
            }
        return null;
    }
}

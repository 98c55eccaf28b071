using System.Text;

namespace Tandem.Tokenization.Training;

/// <summary>
/// The one pass over a corpus every vocabulary trainer makes: the files are streamed line by line (UTF-8, empty
/// lines skipped), each line is split into words by the trainer's pre-tokenizer, and only the count of each distinct
/// word is kept, so a corpus larger than memory works. Progress is reported in bytes read.
/// </summary>
internal static class CorpusWords
{
    /// <summary>How often each word of <paramref name="split"/> occurs in <paramref name="files"/>.</summary>
    /// <exception cref="TandemException">No file, a missing file, a file that is not UTF-8, or no word at all.</exception>
    public static Dictionary<string, long> Count(IReadOnlyList<string> files, Func<string, IEnumerable<string>> split,
        IProgress<VocabularyTrainingProgress>? progress)
    {
        if (files.Count == 0) throw new TandemException("no corpus files given");
        foreach (var f in files)
            if (!File.Exists(f)) throw new TandemException($"{f}: corpus file not found");
        long total = files.Sum(f => new FileInfo(f).Length), done = 0, reported = 0;
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var utf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);
        foreach (var file in files)
        {
            using var reader = new StreamReader(file, utf8, detectEncodingFromByteOrderMarks: true);
            int lineNo = 0;
            while (true)
            {
                string? line;
                try { line = reader.ReadLine(); }
                catch (DecoderFallbackException) { throw new TandemException($"{file}: not UTF-8 text (bad bytes after line {lineNo})"); }
                if (line is null) break;
                lineNo++;
                done += Encoding.UTF8.GetByteCount(line) + 1;
                if (line.Length > 0)
                    foreach (var word in split(line))
                        counts[word] = counts.GetValueOrDefault(word) + 1;
                if (progress is not null && done - reported > (1 << 20)) { progress.Report(new("reading", done, total)); reported = done; }
            }
        }
        progress?.Report(new("reading", total, total));
        if (counts.Count == 0) throw new TandemException($"the corpus ({string.Join(", ", files)}) has no words");
        return counts;
    }
}

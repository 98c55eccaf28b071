using System.Security.Cryptography;
using System.Text;

namespace Tandem.Tokenization;

/// <summary>What decides a tokenizer's ids, fed to a hash (for caches of tokenized data): a WordPiece tokenizer's
/// vocabulary and text settings, or the bytes of the files a <see cref="PipelineTokenizer"/> was read from.</summary>
internal static class TokenizerFingerprint
{
    public static void Append(IncrementalHash hash, ITokenizer tokenizer)
    {
        var sb = new StringBuilder(tokenizer.GetType().Name).Append('\n');
        switch (tokenizer)
        {
            case WordPieceTokenizer w:
                for (int i = 0; i < w.VocabSize; i++) sb.Append(w.IdToToken(i)).Append('\n');
                sb.Append($"{w.DoLowerCase}|{w.StripAccents}|{w.TokenizeChineseChars}\n");
                break;
            case PipelineTokenizer p:
                foreach (var (name, bytes) in p.Files.OrderBy(f => f.Key, StringComparer.Ordinal))
                    sb.Append(name).Append(':').Append(Convert.ToHexString(SHA256.HashData(bytes))).Append('\n');
                break;
            default:
                throw new TandemException($"no fingerprint for tokenizer type {tokenizer.GetType().Name}");
        }
        hash.AppendData(Encoding.UTF8.GetBytes(sb.ToString()));
    }
}

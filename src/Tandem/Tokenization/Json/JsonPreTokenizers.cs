using System.Text.RegularExpressions;

namespace Tandem.Tokenization;

/// <summary>The <c>pre_tokenizer</c> of a <c>tokenizer.json</c> as a function from text to words.</summary>
internal static partial class JsonPreTokenizers
{
    private const string Supported = "BertPreTokenizer, ByteLevel, Whitespace, WhitespaceSplit, Sequence";

    [GeneratedRegex(@"\w+|[^\w\s]+")]
    private static partial Regex WordsAndSymbols();

    public static Func<string, IEnumerable<string>> Create(JsonComponent? component)
    {
        if (component is not { } c)
            return text => [text];
        switch (c.Type)
        {
            case "BertPreTokenizer":
                return BasicTokenizer.SplitWords;
            case "ByteLevel":
                bool prefix = c.Bool("add_prefix_space") ?? true, regex = c.Bool("use_regex") ?? true;
                return text => ByteLevel.Split(text, prefix, regex);
            case "Whitespace":
                return text => WordsAndSymbols().Matches(text).Select(m => m.Value);
            case "WhitespaceSplit":
                return text => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            case "Sequence":
                var steps = c.Array("pretokenizers").EnumerateArray().Select(e => Create(c.Child(e))).ToList();
                return text => steps.Aggregate((IEnumerable<string>)[text], (words, step) => words.SelectMany(step));
            default:
                throw c.Unsupported(Supported);
        }
    }

    /// <summary>Whether the pre-tokenizer is (or contains) GPT-2's byte level, so the BPE model works on bytes.</summary>
    public static bool IsByteLevel(JsonComponent? component) => component is { } c && (c.Type == "ByteLevel"
        || c.Type == "Sequence" && c.Array("pretokenizers").EnumerateArray().Any(e => IsByteLevel(c.Child(e))));
}

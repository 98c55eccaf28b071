namespace Tandem.Tokenization;

/// <summary>The <c>normalizer</c> of a <c>tokenizer.json</c> as a function on text.</summary>
internal static class JsonNormalizers
{
    private const string Supported = "BertNormalizer, Lowercase, StripAccents, NFD before StripAccents, Replace, Prepend, Sequence";

    public static Func<string, string>? Create(JsonComponent? component) =>
        component is { } c ? Create(c, stripsAccentsLater: false) : null;

    private static Func<string, string> Create(JsonComponent c, bool stripsAccentsLater)
    {
        switch (c.Type)
        {
            case "BertNormalizer":
                if (c.Bool("clean_text") == false)
                    throw c.Error("BertNormalizer with clean_text false is not supported");
                bool lower = c.Bool("lowercase") ?? true;
                var basic = new BasicTokenizer(lower, c.Bool("strip_accents") ?? lower, c.Bool("handle_chinese_chars") ?? true);
                return basic.Normalize;
            case "Lowercase":
                return text => text.ToLowerInvariant();
            case "StripAccents":
                return AccentStripper.Strip;
            // string.Normalize does nothing in invariant-globalization mode; AccentStripper decomposes by itself.
            case "NFD" when stripsAccentsLater:
                return text => text;
            case "Replace":
                string from = c.Child(c.Object("pattern")).String("String") ?? throw c.Error("Replace is supported with a String pattern only");
                string to = c.String("content") ?? "";
                return text => text.Replace(from, to, StringComparison.Ordinal);
            case "Prepend":
                string prefix = c.String("prepend") ?? "";
                return text => text.Length == 0 ? text : prefix + text;
            case "Sequence":
                var members = c.Array("normalizers").EnumerateArray().Select(c.Child).ToList();
                var steps = members.Select((m, i) => Create(m, members.Skip(i + 1).Any(n => n.Type == "StripAccents"))).ToList();
                return text => steps.Aggregate(text, (t, step) => step(t));
            default:
                throw c.Unsupported(Supported);
        }
    }
}

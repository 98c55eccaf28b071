namespace Tandem.Tokenization;

/// <summary>The <c>decoder</c> of a <c>tokenizer.json</c> as a function from tokens to text.</summary>
internal static class JsonDecoders
{
    private const string Supported = "ByteLevel, WordPiece";

    public static Func<IReadOnlyList<string>, string> Create(JsonComponent? component)
    {
        if (component is not { } c)
            return tokens => string.Join(' ', tokens);
        switch (c.Type)
        {
            case "ByteLevel":
                return ByteLevel.Decode;
            case "WordPiece":
                string prefix = c.String("prefix") ?? TextDecoder.ContinuationPrefix;
                bool cleanup = c.Bool("cleanup") ?? true;
                return tokens => TextDecoder.Decode(tokens, prefix, cleanup);
            default:
                throw c.Unsupported(Supported);
        }
    }
}

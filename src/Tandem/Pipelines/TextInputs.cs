using Tandem.Tokenization;

namespace Tandem.Pipelines;

/// <summary>Tokenisation of user texts for a model: truncation to what the model can read, with a warning per text.</summary>
public static class TextInputs
{
    /// <summary>Encodes <paramref name="texts"/> (none may be empty) truncated to <paramref name="maxPositions"/>
    /// tokens; calls <paramref name="warn"/> once per truncated text.</summary>
    public static BatchEncoding Encode(ITokenizer tokenizer, IReadOnlyList<string> texts, int maxPositions,
        Action<string>? warn, int firstIndex = 0)
    {
        for (int i = 0; i < texts.Count; i++)
            if (string.IsNullOrWhiteSpace(texts[i]))
                throw new TandemException($"input {firstIndex + i + 1} is empty");
        int max = Math.Min(maxPositions, tokenizer.ModelMaxLength ?? maxPositions);
        var encoding = tokenizer.Encode(texts, new EncodeOptions { MaxLength = max, Truncation = true, Padding = PaddingStrategy.Longest });
        for (int i = 0; i < encoding.Count; i++)
            if (encoding.Truncated[i])
                warn?.Invoke($"warning: input {firstIndex + i + 1} is longer than {max} tokens; truncated to {max}");
        return encoding;
    }
}

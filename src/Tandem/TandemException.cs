namespace Tandem;

/// <summary>
/// An error Tandem reports to its user: bad input, a missing or malformed file, an unsupported setting.
/// The message is one line that says what is wrong and, where it helps, which file or input.
/// </summary>
public sealed class TandemException : Exception
{
    /// <summary>Creates the exception with a one-line <paramref name="message"/>.</summary>
    /// <param name="message">What went wrong, in one line.</param>
    public TandemException(string message) : base(message) { }

    /// <summary>Creates the exception with a one-line <paramref name="message"/> and the error that caused it.</summary>
    /// <param name="message">What went wrong, in one line.</param>
    /// <param name="innerException">The underlying error.</param>
    public TandemException(string message, Exception innerException) : base(message, innerException) { }
}

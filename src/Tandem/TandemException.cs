namespace Tandem;

/// <summary>
/// An error caused by the user's input (a file, a folder, an option, a text): its message is one line that names
/// the file, key or value at fault and says what to do. The CLI prints it without a stack trace.
/// </summary>
public class TandemException : Exception
{
    /// <summary>Creates the exception with a one-line message.</summary>
    public TandemException(string message) : base(message) { }

    /// <summary>Creates the exception with a one-line message and the error that caused it.</summary>
    public TandemException(string message, Exception inner) : base(message, inner) { }
}

namespace Tandem;

/// <summary>An error in how Tandem was asked to work: a bad option, a missing setting, an inconsistent input.
/// The message names the offending option or value.</summary>
public class TandemException : Exception
{
    /// <summary>Creates the exception with a message that names what is wrong.</summary>
    public TandemException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public TandemException(string message, Exception innerException) : base(message, innerException) { }
}

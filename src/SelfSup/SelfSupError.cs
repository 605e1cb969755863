namespace SelfSup;

/// <summary>
/// An error caused by what the user gave us (a file, an option, the data) rather than by a bug.
/// The message names the bad input and says how to fix it; the CLI prints it as one line on stderr
/// and exits non-zero, without a stack trace.
/// </summary>
public class SelfSupError : Exception
{
    public SelfSupError(string message) : base(message) { }
    public SelfSupError(string message, Exception inner) : base(message, inner) { }
}

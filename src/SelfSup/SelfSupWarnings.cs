namespace SelfSup;

/// <summary>
/// Where the library's warnings go (a damaged checkpoint skipped, a step recomputed, a resume with nothing to resume
/// from): one line on stderr by default; a front end sets <see cref="Sink"/> to show them its own way (the CLI writes
/// settings as its flags). Types that warn take an <c>Action&lt;string&gt;</c> defaulting to <see cref="Write"/>.
/// </summary>
public static class SelfSupWarnings
{
    /// <summary>Receives every warning that is not sent elsewhere.</summary>
    public static Action<string> Sink { get; set; } = message => Console.Error.WriteLine($"warning: {message}");

    /// <summary>Sends <paramref name="message"/> to <see cref="Sink"/>.</summary>
    public static void Write(string message) => Sink(message);
}

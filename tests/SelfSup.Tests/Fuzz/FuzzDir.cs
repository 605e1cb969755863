namespace SelfSup.Tests.Fuzz;

/// <summary>
/// A temporary folder for fuzz cases, deleted at dispose. The fuzz tests write and delete thousands of small
/// files, so the folder is in RAM (<c>/dev/shm</c>) when the machine has it — about ten times faster than a
/// disk-backed temp folder — and in the temp folder otherwise.
/// </summary>
public sealed class FuzzDir : IDisposable
{
    public string Path { get; }

    public FuzzDir()
    {
        string root = Directory.Exists("/dev/shm") ? "/dev/shm" : System.IO.Path.GetTempPath();
        Path = System.IO.Path.Combine(root, "selfsup-fuzz", Guid.NewGuid().ToString("N"));
        try { Directory.CreateDirectory(Path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "selfsup-fuzz", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }
    }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
}

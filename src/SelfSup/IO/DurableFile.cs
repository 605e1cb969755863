using System.Runtime.InteropServices;

namespace SelfSup.IO;

/// <summary>
/// Writing files so that they survive a power cut or a kernel crash, the way checkpoints and image caches are
/// written: the new contents go to a temporary file in the same folder, are flushed to the disk
/// (<see cref="FileStream.Flush(bool)"/> with <c>true</c>: fsync), the temporary file is renamed over the
/// target (atomic on POSIX file systems), and then the folder itself is flushed so that the rename is on the
/// disk too. A reader therefore sees either the old file or the complete new one, never a mix or an empty file.
/// </summary>
/// <remarks>
/// .NET cannot open a directory as a file, so <see cref="FlushDirectory"/> calls libc's <c>open</c>
/// (O_RDONLY), <c>fsync</c> and <c>close</c> directly. On Windows, where NTFS journals renames and directories
/// cannot be flushed this way, it does nothing.
/// </remarks>
public static partial class DurableFile
{
    private const int ReadOnly = 0;                 // O_RDONLY
    private const int NotSupported = 22;            // EINVAL: the file system cannot fsync a directory

    /// <summary>Flushes the contents of the file at <paramref name="path"/> to the disk (fsync).</summary>
    public static void FlushFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>
    /// Flushes the folder <paramref name="dir"/> to the disk, so that files created, renamed or deleted in it stay
    /// so after a crash. File systems that cannot flush a directory (EINVAL) are accepted silently.
    /// </summary>
    /// <exception cref="IOException">The folder cannot be opened or flushed; the message names it and gives errno.</exception>
    public static void FlushDirectory(string dir)
    {
        if (OperatingSystem.IsWindows()) return;
        int fd = Open(dir, ReadOnly);
        if (fd < 0) throw new IOException($"cannot open folder '{dir}' to flush it to disk (errno {Marshal.GetLastPInvokeError()}); check that it exists and is readable");
        try
        {
            if (Fsync(fd) != 0 && Marshal.GetLastPInvokeError() is var errno && errno != NotSupported)
                throw new IOException($"cannot flush folder '{dir}' to disk (errno {errno}); the disk may be failing or full — check it before trusting files written there");
        }
        finally
        {
            Close(fd);
        }
    }

    /// <summary>
    /// Replaces <paramref name="path"/> by the finished file <paramref name="tempPath"/> (in the same folder):
    /// flushes it, renames it over the target, flushes the folder.
    /// </summary>
    public static void MoveIntoPlace(string tempPath, string path)
    {
        FlushFile(tempPath);
        File.Move(tempPath, path, overwrite: true);
        FlushDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8) to <paramref name="path"/> durably: temporary file, flush, rename, folder flush.</summary>
    public static void WriteAllTextDurable(string path, string text)
    {
        string temp = $"{path}.tmp-{Environment.ProcessId}";
        try
        {
            File.WriteAllText(temp, text);
            MoveIntoPlace(temp, path);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}

using System.Runtime.InteropServices;

namespace SelfSup.IO;

/// <summary>
/// Writes that survive a crash or a power cut: data is flushed to the disk (<c>fsync</c>) before the
/// rename that publishes it, and the folder holding the new name is flushed after, so after a crash a
/// file is either absent or complete — never a renamed file with missing contents.
/// </summary>
public static class DurableFile
{
    /// <summary>Flushes a written file's data and metadata to the disk.</summary>
    public static void FlushFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Flushes a folder's entries (new names, renames) to the disk; a no-op where folders cannot be opened (Windows).</summary>
    public static void FlushDirectory(string dir)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        int fd = Native.open(dir, 0 /* O_RDONLY */);
        if (fd < 0) return;
        try { Native.fsync(fd); }
        finally { Native.close(fd); }
    }

    /// <summary>Writes <paramref name="text"/> to <c>path.tmp</c>, flushes it, renames it to <paramref name="path"/> and flushes the folder.</summary>
    public static void WriteAllText(string path, string text)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, text);
        FlushFile(tmp);
        File.Move(tmp, path, overwrite: true);
        FlushDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    private static class Native
    {
        [DllImport("libc", SetLastError = true)] public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
        [DllImport("libc", SetLastError = true)] public static extern int fsync(int fd);
        [DllImport("libc", SetLastError = true)] public static extern int close(int fd);
    }
}

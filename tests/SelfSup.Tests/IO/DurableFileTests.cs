using SelfSup.IO;
using Xunit;

namespace SelfSup.Tests.IO;

/// <summary>DurableFile: temporary file, flush, rename, folder flush — and errors that name the path.</summary>
public sealed class DurableFileTests
{
    [Fact]
    public void WriteAllTextDurableReplacesTheFileAndLeavesNoTemporaryFile()
    {
        using var dir = new TempDir();
        string path = dir.File("state.json");
        DurableFile.WriteAllTextDurable(path, "{\"epoch\": 1}");
        DurableFile.WriteAllTextDurable(path, "{\"epoch\": 2}");
        Assert.Equal("{\"epoch\": 2}", File.ReadAllText(path));
        Assert.Equal(["state.json"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void FlushingAFileAndAFolderSucceedsAndAMissingFolderIsNamed()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("a.txt"), "a");
        DurableFile.FlushFile(dir.File("a.txt"));
        DurableFile.FlushDirectory(dir.Path);
        Assert.Throws<FileNotFoundException>(() => DurableFile.FlushFile(dir.File("missing.txt")));
        if (!OperatingSystem.IsWindows())
            Assert.Contains(dir.File("no-such-folder"), Assert.Throws<IOException>(() => DurableFile.FlushDirectory(dir.File("no-such-folder"))).Message);
    }

    [Fact]
    public void MoveIntoPlaceRenamesOverTheTarget()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("cache"), "old");
        File.WriteAllText(dir.File("cache.tmp-1"), "new");
        DurableFile.MoveIntoPlace(dir.File("cache.tmp-1"), dir.File("cache"));
        Assert.Equal("new", File.ReadAllText(dir.File("cache")));
        Assert.False(File.Exists(dir.File("cache.tmp-1")));
    }
}

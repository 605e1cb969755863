using SelfSup.Examples;
using Xunit;

namespace SelfSup.Tests;

/// <summary>The library example in the README compiles (it is part of this assembly), runs, and is the text the README shows.</summary>
public sealed class LibraryExampleTests
{
    [Fact]
    public void The_readme_example_pretrains_a_few_steps_and_probes_above_chance()
    {
        using var dir = new TempDir();
        SyntheticFashionMnist.Write(dir.File("data"), trainCount: 200, testCount: 100);
        double top1 = LibraryQuickStart.Run(dir.File("data"), steps: 3, batch: 32, views: 4);
        Assert.InRange(top1, 20, 100);   // 10 classes: chance is 10 %; the synthetic classes are bars a probe separates
    }

    [Fact]
    public void The_library_guide_shows_the_example_exactly_as_compiled()
    {
        string readme = File.ReadAllText(Path.Combine(DocsTests.RepositoryRoot, "docs", "library.md")).ReplaceLineEndings("\n");
        string source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples-source", "LibraryQuickStart.cs")).ReplaceLineEndings("\n");
        int start = source.IndexOf("public static double Run", StringComparison.Ordinal);
        Assert.True(start > 0);
        string body = source[start..source.LastIndexOf('}')].TrimEnd();
        Assert.Contains(string.Join("\n", body.Split('\n').Select(l => l.Length >= 4 ? l[4..] : l.TrimStart())), readme);
    }
}

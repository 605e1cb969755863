using System.Text.RegularExpressions;
using Xunit;

namespace SelfSup.Tests;

/// <summary>The README and docs/ link only to files and headings that exist in the repository.</summary>
public sealed class DocsTests
{
    /// <summary>The checkout's root: the folder above the test binaries that holds SelfSup.slnx.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SelfSup.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"no SelfSup.slnx above {AppContext.BaseDirectory}");
    }

    private static readonly Regex Link = new(@"\]\(([^)\s]+)\)");

    /// <summary>GitHub's anchor of a heading: lower case, punctuation other than '-' and '_' dropped, spaces to '-'.</summary>
    private static string Anchor(string heading) =>
        Regex.Replace(new string(heading.Trim().ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_').ToArray()), " ", "-");

    public static TheoryData<string> Pages() =>
        [.. new[] { "README.md", "bench/README.md" }.Concat(Directory.EnumerateFiles(Path.Combine(RepositoryRoot, "docs"), "*.md", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(RepositoryRoot, f).Replace('\\', '/')).Order())];

    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_link_stays_in_the_repository_and_resolves(string page)
    {
        string path = Path.Combine(RepositoryRoot, page);
        string text = File.ReadAllText(path);
        foreach (Match m in Link.Matches(text))
        {
            string target = m.Groups[1].Value;
            Assert.False(target.Contains("://") || target.StartsWith("/") || target.Contains("shared/"), $"{page} links outside the repository: {target}");
            var (file, anchor) = target.Split('#', 2) is [var f, var a] ? (f, a) : (target, null);
            string resolved = file.Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, file));
            Assert.True(resolved.StartsWith(RepositoryRoot), $"{page}: {target} leaves the repository");
            Assert.True(File.Exists(resolved) || Directory.Exists(resolved), $"{page}: {target} does not exist");
            if (anchor is not null && resolved.EndsWith(".md"))
            {
                var headings = File.ReadAllLines(resolved).Where(l => l.StartsWith('#')).Select(l => Anchor(l.TrimStart('#'))).ToList();
                Assert.True(headings.Contains(anchor), $"{page}: {target} names a heading that {Path.GetFileName(resolved)} does not have");
            }
        }
    }

    [Fact]
    public void The_readme_reads_in_five_minutes()
    {
        int lines = File.ReadAllLines(Path.Combine(RepositoryRoot, "README.md")).Length;
        Assert.True(lines < 250, $"README.md has {lines} lines; the guide belongs in docs/");
    }
}

using System.Security.Cryptography;
using System.Text;

namespace SelfSup.Data;

/// <summary>
/// What an image cache is made from, as text lines hashed with SHA-256, in two parts:
/// <list type="bullet">
/// <item>settings (<see cref="Add"/>) — the kind of source, split, stored side, class list contents, label
/// granularity, where the source is. They name the cache file, so caches that differ in any setting live side
/// by side and never replace each other;</item>
/// <item>content (<see cref="AddContent"/>, <see cref="AddFile"/>) — each source file's size and modification
/// time. They only tell whether a cache is stale: when one changes, the cache of that name is rebuilt in place.</item>
/// </list>
/// </summary>
public sealed class CacheKey
{
    private readonly StringBuilder _settings = new();
    private readonly StringBuilder _content = new();

    public CacheKey(string kind) => Add("selfsup-cache", ImageCache.Version.ToString(), kind);

    /// <summary>Adds a setting line: a cache made with another value is another cache file.</summary>
    public CacheKey Add(params string[] parts)
    {
        _settings.AppendJoin('\t', parts).Append('\n');
        return this;
    }

    /// <summary>Adds a content line: a change makes the cache stale (rebuilt under the same name).</summary>
    public CacheKey AddContent(params string[] parts)
    {
        _content.AppendJoin('\t', parts).Append('\n');
        return this;
    }

    /// <summary>Adds a source file by its path (or <paramref name="shownAs"/>), size and modification time, as content.</summary>
    public CacheKey AddFile(string path, string? shownAs = null)
    {
        var info = new FileInfo(path);
        return AddContent(shownAs ?? Path.GetFullPath(path), info.Length.ToString(), info.LastWriteTimeUtc.Ticks.ToString());
    }

    /// <summary>The hash of the settings alone: part of the cache file name.</summary>
    public byte[] SettingsHash() => SHA256.HashData(Encoding.UTF8.GetBytes(_settings.ToString()));

    /// <summary>The hash of settings and content: stored in the cache header, compared on open.</summary>
    public byte[] Hash() => SHA256.HashData(Encoding.UTF8.GetBytes(_settings + "\0" + _content));
}

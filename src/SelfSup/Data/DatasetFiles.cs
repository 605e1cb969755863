namespace SelfSup.Data;

/// <summary>
/// Where a binary dataset's files are: extracted in a folder, or still packed in its official
/// <c>.tar.gz</c>. Members are named by file name alone (<c>data_batch_1.bin</c>), whatever folder the
/// archive puts them in. <c>data_dir</c> may be the extracted folder, its parent, the folder holding
/// the archive, or the archive itself.
/// </summary>
public sealed class DatasetFiles
{
    /// <summary>The archive file, or null when extracted.</summary>
    public string? Archive { get; }

    /// <summary>The folder holding the extracted members, or null when packed.</summary>
    public string? Folder { get; }

    /// <summary>The data root: where the cache folder goes.</summary>
    public string Root { get; }

    public bool IsPacked => Archive is not null;

    private DatasetFiles(string? archive, string? folder, string root) { Archive = archive; Folder = folder; Root = root; }

    /// <summary>
    /// Finds the files of a dataset under <paramref name="dataDir"/>: a folder holding <paramref name="marker"/>
    /// (the folder itself or <paramref name="folderName"/> inside it), else <paramref name="archiveName"/>.
    /// </summary>
    public static DatasetFiles Locate(string dataDir, string dataset, string archiveName, string folderName, string marker)
    {
        string download = $"download it with: selfsup data download {dataset} `to` {dataDir}";
        if (File.Exists(dataDir))
            return new DatasetFiles(Path.GetFullPath(dataDir), null, Path.GetDirectoryName(Path.GetFullPath(dataDir))!);
        if (!Directory.Exists(dataDir))
            throw new SelfSupError($"data directory '{dataDir}' does not exist; {download}, or pass `data_dir` with {archiveName} or {folderName}/");
        foreach (var folder in new[] { dataDir, Path.Combine(dataDir, folderName) })
            if (File.Exists(Path.Combine(folder, marker)))
                return new DatasetFiles(null, Path.GetFullPath(folder), Path.GetFullPath(dataDir));
        string archive = Path.Combine(dataDir, archiveName);
        if (File.Exists(archive)) return new DatasetFiles(Path.GetFullPath(archive), null, Path.GetFullPath(dataDir));
        throw new SelfSupError($"no {dataset} data in '{dataDir}': expected {archiveName} or {folderName}/{marker}; {download}");
    }

    /// <summary>How a member is named in messages: the extracted file, or archive:member.</summary>
    public string Describe(string member) => Archive is not null ? $"{Archive}:{member}" : Path.Combine(Folder!, member);

    /// <summary>Adds where the members are (a setting) and what they are made of (paths, sizes, times: content) to a cache key.</summary>
    public CacheKey AddTo(CacheKey key, IEnumerable<string> members)
    {
        key.Add("source", Archive ?? Folder!);
        if (Archive is not null) return key.AddFile(Archive);
        foreach (var m in members)
        {
            string path = Path.Combine(Folder!, m);
            if (File.Exists(path)) key.AddFile(path); else key.AddContent(path, "missing");
        }
        return key;
    }

    /// <summary>Member file name → length, for every file (packed: reads through the archive once).</summary>
    public Dictionary<string, long> List()
    {
        if (Archive is not null) return TarArchive.List(Archive);
        return Directory.EnumerateFiles(Folder!).ToDictionary(p => Path.GetFileName(p), p => new FileInfo(p).Length);
    }

    /// <summary>
    /// Streams each of <paramref name="members"/> once to <paramref name="read"/> (name, data, length), in
    /// archive order when packed, plus those of <paramref name="optional"/> that exist. Throws naming the
    /// first required member that is not there.
    /// </summary>
    public void Read(IReadOnlyCollection<string> members, Action<string, Stream, long> read, string whatIsExpected,
        IReadOnlyCollection<string>? optional = null)
    {
        var required = new HashSet<string>(members);
        var wanted = new HashSet<string>(members.Concat(optional ?? []));
        if (Archive is not null)
        {
            TarArchive.Scan(Archive, (name, _, data, length) =>
            {
                if (wanted.Remove(name)) { required.Remove(name); read(name, data, length); }
                return wanted.Count > 0;
            });
            if (required.Count > 0)
                throw new SelfSupError($"'{Archive}' has no member {required.Order().First()}; it is not {whatIsExpected} — check the file or download it again");
            return;
        }
        foreach (var m in members.Concat(optional ?? []))
        {
            string path = Path.Combine(Folder!, m);
            if (!File.Exists(path))
            {
                if (required.Contains(m)) throw new SelfSupError($"'{path}' not found; the folder '{Folder}' should hold the files of {whatIsExpected}");
                continue;
            }
            try
            {
                using var file = File.OpenRead(path);
                read(m, file, file.Length);
            }
            catch (EndOfStreamException e)
            {
                throw new SelfSupError($"'{path}' ended early ({e.Message.TrimEnd('.')}); the file is truncated — extract or download it again");
            }
        }
    }

    /// <summary>Non-empty trimmed lines of a text member's data.</summary>
    public static string[] Lines(Stream data) =>
        new StreamReader(data).ReadToEnd().Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
}

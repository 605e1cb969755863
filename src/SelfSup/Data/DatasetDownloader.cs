using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace SelfSup.Data;

/// <summary>
/// Downloads a dataset's official archive into a folder: resumable (the bytes so far are kept in
/// <c>FILE.part</c> and an interrupted download continues with an HTTP Range request), verified against
/// the published MD5 before the file gets its final name. The archive is left packed; the CIFAR and
/// STL-10 sources read it as it is.
/// </summary>
public static class DatasetDownloader
{
    public static readonly IReadOnlyDictionary<string, DownloadSource> Sources = new Dictionary<string, DownloadSource>
    {
        ["cifar10"] = new("cifar10", "cifar-10-binary.tar.gz", "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz", "c32a1d4ab5d03f1284b67883e8d87530"),
        ["cifar100"] = new("cifar100", "cifar-100-binary.tar.gz", "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz", "03b5dce01913d631647c71ecec9e9cb8"),
        ["stl10"] = new("stl10", "stl10_binary.tar.gz", "http://ai.stanford.edu/~acoates/stl10/stl10_binary.tar.gz", "91f7769df0f17e558f3565bffb0c7dfb"),
    };

    /// <summary>The outcome: the archive's path, and whether it was already there (nothing downloaded).</summary>
    public sealed record Result(string Path, bool AlreadyPresent, long Bytes, bool Resumed);

    /// <summary>
    /// Downloads <paramref name="dataset"/>'s archive into <paramref name="toDir"/>.
    /// <paramref name="url"/> and <paramref name="md5"/> override the official ones (a mirror, a test server).
    /// <paramref name="progress"/> gets (bytes so far, total or null when unknown).
    /// </summary>
    public static Result Download(string dataset, string toDir, string? url = null, string? md5 = null, Action<long, long?>? progress = null,
        HttpMessageHandler? handler = null)
    {
        if (!Sources.TryGetValue(dataset, out var source))
            throw new SelfSupError($"no download for '{dataset}'; selfsup downloads {string.Join(", ", Sources.Keys)} (Fashion-MNIST comes with Debian's dataset-fashion-mnist; image folders you provide)");
        url ??= source.Url;
        md5 = (md5 ?? source.Md5).ToLowerInvariant();
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new SelfSupError($"`url` '{url}' is not an http(s) address");
        try { Directory.CreateDirectory(toDir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SelfSupError($"cannot create `to` folder '{toDir}' ({e.Message.TrimEnd('.')})");
        }
        string final = Path.Combine(toDir, source.FileName), part = final + ".part";

        if (File.Exists(final))
        {
            string have = Md5Of(final);
            if (have == md5) return new Result(final, true, new FileInfo(final).Length, false);
            throw new SelfSupError($"'{final}' exists but its MD5 is {have}, not the published {md5}; delete it and run the command again");
        }

        long existing = File.Exists(part) ? new FileInfo(part).Length : 0;
        using var client = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        client.Timeout = Timeout.InfiniteTimeSpan;
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (existing > 0) request.Headers.Range = new RangeHeaderValue(existing, null);
        HttpResponseMessage response;
        try { response = client.Send(request, HttpCompletionOption.ResponseHeadersRead); }
        catch (HttpRequestException e)
        {
            throw new SelfSupError($"cannot download {url} ({e.Message.TrimEnd('.')}); check the network or pass `url` with a mirror");
        }
        using (response)
        {
            bool resumed = false;
            long? total;
            FileMode mode;
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && existing > 0)
            {
                total = existing;       // the part file already holds everything the server has: verify it
                mode = FileMode.Append;
            }
            else if (response.StatusCode == HttpStatusCode.PartialContent && existing > 0)
            {
                var range = response.Content.Headers.ContentRange;
                if (range?.From != existing)
                    throw new SelfSupError($"{url} answered the resume request with bytes {range?.From}-; expected {existing}-. Delete '{part}' and run again");
                total = range.Length ?? (response.Content.Headers.ContentLength + existing);
                mode = FileMode.Append;
                resumed = true;
            }
            else if (response.IsSuccessStatusCode)
            {
                existing = 0;           // the server ignored the range (or there was none): start over
                total = response.Content.Headers.ContentLength;
                mode = FileMode.Create;
            }
            else
                throw new SelfSupError($"{url} answered {(int)response.StatusCode} {response.ReasonPhrase}; check `url`");

            long have = existing;
            if (response.StatusCode != HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                try
                {
                    using var output = new FileStream(part, mode, FileAccess.Write, FileShare.Read);
                    using var input = response.Content.ReadAsStream();
                    var buffer = new byte[1 << 20];
                    progress?.Invoke(have, total);
                    int n;
                    while ((n = input.Read(buffer)) > 0)
                    {
                        output.Write(buffer, 0, n);
                        have += n;
                        progress?.Invoke(have, total);
                    }
                }
                catch (Exception e) when (e is IOException or HttpRequestException)
                {
                    throw new SelfSupError($"download of {url} stopped after {have} of {(total is null ? "?" : total.ToString())} bytes " +
                        $"({e.Message.ReplaceLineEndings(" ").TrimEnd('.')}); run the same command again to resume from '{part}'");
                }
                if (total is not null && have < total)
                    throw new SelfSupError($"download of {url} stopped after {have} of {total} bytes; run the same command again to resume from '{part}'");
            }

            string got = Md5Of(part);
            if (got != md5)
            {
                File.Delete(part);
                throw new SelfSupError($"'{final}' from {url} has MD5 {got}, not the published {md5}; the download was corrupt or is not the official archive — it was deleted; run again or check `url`");
            }
            File.Move(part, final, overwrite: true);
            return new Result(final, false, have, resumed);
        }
    }

    /// <summary>Lower-case hex MD5 of a file.</summary>
    public static string Md5Of(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexString(MD5.HashData(file)).ToLowerInvariant();
    }
}

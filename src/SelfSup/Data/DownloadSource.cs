using System.Net;
using System.Net.Http.Headers;

namespace SelfSup.Data;

/// <summary>An archive <see cref="DatasetDownloader"/> knows: where it is published and its published MD5.</summary>
public sealed record DownloadSource(string Dataset, string FileName, string Url, string Md5);

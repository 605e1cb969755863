using System.Net;
using System.Net.Sockets;

namespace SelfSup.Tests.Data;

/// <summary>
/// A small HTTP file server on 127.0.0.1 (a random free port) for download tests: serves byte arrays by
/// path, honours "Range: bytes=N-" with 206 Partial Content, and can cut the first response of a path
/// short (announcing the full length, sending part of it, then aborting the connection).
/// </summary>
public sealed class LoopbackServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, byte[]> _files = new();
    private readonly Dictionary<string, int> _cutAfter = new();
    private readonly Thread _thread;

    public string BaseUrl { get; }
    public List<string?> RangeHeaders { get; } = [];

    public LoopbackServer()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        BaseUrl = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(BaseUrl);
        _listener.Start();
        _thread = new Thread(Serve) { IsBackground = true };
        _thread.Start();
    }

    /// <summary>Serves <paramref name="bytes"/> at /<paramref name="name"/>; the first response stops after <paramref name="cutFirstAfter"/> bytes when given.</summary>
    public string Add(string name, byte[] bytes, int? cutFirstAfter = null)
    {
        lock (_files)
        {
            _files["/" + name] = bytes;
            if (cutFirstAfter is { } n) _cutAfter["/" + name] = n;
        }
        return BaseUrl + name;
    }

    private void Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = _listener.GetContext(); }
            catch (Exception) { return; }
            try { Handle(context); }
            catch (Exception) { try { context.Response.Abort(); } catch (Exception) { } }
        }
    }

    private void Handle(HttpListenerContext context)
    {
        var response = context.Response;
        string path = context.Request.Url!.AbsolutePath;
        byte[]? bytes;
        int? cut = null;
        lock (_files)
        {
            _files.TryGetValue(path, out bytes);
            RangeHeaders.Add(context.Request.Headers["Range"]);
            if (_cutAfter.Remove(path, out int n)) cut = n;
        }
        if (bytes is null) { response.StatusCode = 404; response.Close(); return; }

        long start = 0;
        if (context.Request.Headers["Range"] is { } range && range.StartsWith("bytes=") && range.EndsWith('-'))
            start = long.Parse(range["bytes=".Length..^1]);
        if (start > 0)
        {
            if (start >= bytes.Length) { response.StatusCode = 416; response.Close(); return; }
            response.StatusCode = 206;
            response.Headers["Content-Range"] = $"bytes {start}-{bytes.Length - 1}/{bytes.Length}";
        }
        response.ContentLength64 = bytes.Length - start;
        var body = response.OutputStream;
        if (cut is { } after)
        {
            body.Write(bytes, (int)start, after);
            body.Flush();
            response.Abort();                         // the connection drops mid-body
            return;
        }
        body.Write(bytes, (int)start, (int)(bytes.Length - start));
        response.Close();
    }

    public void Dispose()
    {
        try { _listener.Stop(); _listener.Close(); } catch (Exception) { }
    }
}

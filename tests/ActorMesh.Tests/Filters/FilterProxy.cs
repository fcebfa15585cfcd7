using System.Net;
using ActorMesh.Tests.Support;

namespace ActorMesh.Tests.Filters;

/// <summary>
/// A real proxy with the given <c>http_filters</c> before the router, one real upstream answering 200 "ok", and a
/// file access log of <c>%RESPONSE_CODE% %RESPONSE_FLAGS%</c> per request, so tests see the response flags.
/// </summary>
internal sealed class FilterProxy : IAsyncDisposable
{
    public const string DefaultRoutes = "routes:\n- match: { prefix: \"/\" }\n  route: { cluster: backend }";

    private readonly string _logPath;

    private FilterProxy(ProxyHarness harness, TestUpstream upstream, string logPath)
    {
        Harness = harness;
        Upstream = upstream;
        _logPath = logPath;
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{harness.Port("main")}"),
            Timeout = TimeSpan.FromSeconds(10),
        };
    }

    public ProxyHarness Harness { get; }
    public TestUpstream Upstream { get; }
    public HttpClient Client { get; }

    /// <summary>Every request the upstream received, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<UpstreamRequest> Received { get; private init; } = new();

    /// <param name="bootstrapExtra">Top-level bootstrap YAML appended at column 0 (e.g. <c>layered_runtime</c>).</param>
    public static async Task<FilterProxy> StartAsync(string httpFilters, string routes = DefaultRoutes, string? bootstrapExtra = null)
    {
        var received = new System.Collections.Concurrent.ConcurrentQueue<UpstreamRequest>();
        var upstream = TestUpstream.Start(async (request, stream) =>
        {
            received.Enqueue(request);
            await TestUpstream.WriteResponse(stream, 200, "ok");
        });
        var logPath = Path.Combine(Path.GetTempPath(), $"actormesh-filters-{Guid.NewGuid():N}.log");
        var accessLog = "access_log:\n"
            + "- name: envoy.access_loggers.file\n"
            + "  typed_config:\n"
            + "    \"@type\": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog\n"
            + $"    path: {logPath}\n"
            + "    log_format: { text_format_source: { inline_string: \"%RESPONSE_CODE% %RESPONSE_FLAGS%\\n\" } }";
        var yaml = ProxyHarness.ConfigWith(routes, [upstream.Port], hcmOptions: accessLog, httpFilters: httpFilters) + (bootstrapExtra ?? "");
        try
        {
            return new FilterProxy(await ProxyHarness.StartAsync(yaml), upstream, logPath) { Received = received };
        }
        catch
        {
            await upstream.DisposeAsync();
            throw;
        }
    }

    public async Task<HttpResponseMessage> Send(string path, params (string Name, string Value)[] headers) =>
        await Send(HttpMethod.Get, path, null, headers);

    public async Task<HttpResponseMessage> Send(HttpMethod method, string path, HttpContent? content, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return await Client.SendAsync(request);
    }

    public async Task<HttpStatusCode> Status(string path, params (string Name, string Value)[] headers)
    {
        using var response = await Send(path, headers);
        return response.StatusCode;
    }

    public long Stat(string name) => Harness.Stat(name);

    /// <summary>The access log's lines once it has at least <paramref name="count"/> (the logger writes asynchronously).</summary>
    public Task<string[]> LogLines(int count) => LogFile.Lines(_logPath, count);

    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? string.Join(",", contentValues)
        : null;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Harness.DisposeAsync();
        await Upstream.DisposeAsync();
        try
        {
            File.Delete(_logPath);
        }
        catch (IOException)
        {
            // The logger may still hold it; the temp directory is cleaned eventually.
        }
    }
}

using System.Net;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.AccessLog;

/// <summary>
/// Access log <c>filter</c>s on real loggers: requests through a real proxy to a real upstream, a port that refuses
/// and a cluster without hosts, lines in real files. Each file's last expected line comes from the same final
/// request, and a writer keeps its file's order, so once that line is there nothing filtered out can still arrive.
/// </summary>
public sealed class AccessLogFilterEndToEndTests : IAsyncLifetime
{
    private const string Format = "%REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_FLAGS%\\n";

    private readonly string _dir = Directory.CreateTempSubdirectory("actormesh-logfilter-").FullName;
    private readonly DeadPort _dead = new();
    private TestUpstream _upstream = null!;

    public Task InitializeAsync()
    {
        _upstream = TestUpstream.Start((request, stream) => request.Target.StartsWith("/app/missing", StringComparison.Ordinal)
            ? TestUpstream.WriteResponse(stream, 404, "upstream says no")
            : TestUpstream.WriteResponse(stream, 200, "ok"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _upstream.DisposeAsync();
        _dead.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string Log(string name) => Path.Combine(_dir, name);

    private string FileLogger(string name, string filter) =>
        "- name: envoy.access_loggers.file\n"
        + ProxyHarness.Indent("filter:\n" + ProxyHarness.Indent(filter, 2).TrimEnd('\n'), 2)
        + "  typed_config:\n"
        + "    \"@type\": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog\n"
        + $"    path: {Log(name)}\n"
        + $"    log_format: {{ text_format_source: {{ inline_string: \"{Format}\" }} }}\n";

    private Task<ProxyHarness> Start(string accessLogs, string? httpFilters = null) =>
        ProxyHarness.StartAsync(ThreeClusterConfig.Yaml("access_log:\n" + accessLogs, _upstream.Port, _dead.Port, httpFilters: httpFilters));

    private static async Task<HttpStatusCode> Get(HttpClient client, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static HttpClient Client(ProxyHarness proxy) => new() { BaseAddress = new Uri($"http://127.0.0.1:{proxy.Port("main")}") };

    [Fact]
    public async Task Each_logger_writes_only_what_its_filter_passes()
    {
        var healthCheck = "- name: envoy.filters.http.health_check\n"
            + "  typed_config:\n"
            + "    \"@type\": type.googleapis.com/envoy.extensions.filters.http.health_check.v3.HealthCheck\n"
            + "    pass_through_mode: false\n"
            + "    headers: [ { name: \":path\", string_match: { exact: /healthz } } ]";
        await using var proxy = await Start(
            FileLogger("5xx.log", "status_code_filter: { comparison: { op: GE, value: { default_value: 500, runtime_key: log.min_status } } }")
            + FileLogger("audit.log", "header_filter: { header: { name: x-audit, present_match: true } }")
            + FileLogger("nested.log",
                "or_filter:\n  filters:\n"
                + "  - and_filter:\n      filters:\n"
                + "      - status_code_filter: { comparison: { op: GE, value: { default_value: 400, runtime_key: log.min_client } } }\n"
                + "      - header_filter: { header: { name: x-debug, string_match: { exact: \"1\" } } }\n"
                + "  - response_flag_filter: { flags: [NR] }")
            + FileLogger("upstream-down.log", "response_flag_filter: { flags: [UH, UF] }")
            + FileLogger("not-hc.log", "not_health_check_filter: {}"),
            healthCheck);
        using var client = Client(proxy);

        Assert.Equal(HttpStatusCode.OK, await Get(client, "/app/plain"));
        Assert.Equal(HttpStatusCode.OK, await Get(client, "/app/audited", ("x-audit", "yes")));
        Assert.Equal(HttpStatusCode.NotFound, await Get(client, "/nowhere"));
        Assert.Equal(HttpStatusCode.NotFound, await Get(client, "/app/missing-debug", ("x-debug", "1")));
        Assert.Equal(HttpStatusCode.NotFound, await Get(client, "/app/missing-plain"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await Get(client, "/empty"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await Get(client, "/dead"));
        Assert.Equal(HttpStatusCode.OK, await Get(client, "/healthz"));
        // Passes every filter: the last line of every file.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await Get(client, "/empty/last", ("x-audit", "yes"), ("x-debug", "1")));

        const string last = "/empty/last 503 UH";
        Assert.Equal(["/empty 503 UH", "/dead 503 UF", last], await LogFile.Lines(Log("5xx.log"), 3));
        Assert.Equal(["/app/audited 200 -", last], await LogFile.Lines(Log("audit.log"), 2));
        Assert.Equal(["/nowhere 404 NR", "/app/missing-debug 404 -", last], await LogFile.Lines(Log("nested.log"), 3));
        Assert.Equal(["/empty 503 UH", "/dead 503 UF", last], await LogFile.Lines(Log("upstream-down.log"), 3));
        Assert.Equal(
            ["/app/plain 200 -", "/app/audited 200 -", "/nowhere 404 NR", "/app/missing-debug 404 -", "/app/missing-plain 404 -", "/empty 503 UH", "/dead 503 UF", last],
            await LogFile.Lines(Log("not-hc.log"), 8));
    }

    [Fact]
    public async Task A_runtime_filter_at_zero_percent_logs_nothing_until_the_admin_runtime_raises_it()
    {
        await using var proxy = await Start(FileLogger("sampled.log", "runtime_filter: { runtime_key: access_log.sample, percent_sampled: { numerator: 0 } }"));
        using var client = Client(proxy);
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{proxy.AdminPort}") };

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await Get(client, $"/app/before-{i}"));
        }
        (await admin.PostAsync("/runtime_modify?access_log.sample=100", null)).EnsureSuccessStatusCode();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await Get(client, $"/app/after-{i}"));
        }

        // Lines of the first five would have been queued before these three.
        Assert.Equal(["/app/after-0 200 -", "/app/after-1 200 -", "/app/after-2 200 -"], await LogFile.Lines(Log("sampled.log"), 3));
    }
}

using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Listeners;

/// <summary>
/// One proxy with a <c>local_reply_config</c> shared by the tests (none changes it): real sockets, a real upstream, a
/// port that refuses and a cluster without hosts.
/// </summary>
public sealed class LocalReplyProxy : IAsyncLifetime
{
    public const string LocalReplyConfig = """
        local_reply_config:
          mappers:
          - filter:
              status_code_filter: { comparison: { op: EQ, value: { default_value: 404, runtime_key: local_reply.not_found } } }
            status_code: 410
            body: { inline_string: gone }
            headers_to_add:
            - header: { key: x-original-code, value: "%RESPONSE_CODE%" }
              append_action: OVERWRITE_IF_EXISTS_OR_ADD
          - filter:
              response_flag_filter: { flags: [UF] }
            body_format_override:
              json_format:
                error: "%LOCAL_REPLY_BODY%"
                code: "%RESPONSE_CODE%"
                flags: "%RESPONSE_FLAGS%"
                path: "%REQ(:PATH)%"
          - filter:
              header_filter: { header: { name: x-teapot, present_match: true } }
            status_code: 418
          - filter:
              response_flag_filter: { flags: [UT] }
            status_code: 503
            body: { inline_bytes: dHJ5IGxhdGVy }
          body_format:
            text_format: "[%RESPONSE_CODE%] %LOCAL_REPLY_BODY%"
        """;

    private const string Routes =
        "routes:\n"
        + "- match: { prefix: \"/app/slow\" }\n  route: { cluster: backend, timeout: 0.3s }\n"
        + ThreeClusterConfig.RouteList;

    private const string FaultFilter =
        "- name: envoy.filters.http.fault\n"
        + "  typed_config:\n"
        + "    \"@type\": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault\n"
        + "    abort: { header_abort: {}, percentage: { numerator: 100 } }";

    private readonly DeadPort _dead = new();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TestUpstream _upstream = null!;

    internal ProxyHarness Proxy { get; private set; } = null!;

    public string LogPath { get; } = Path.Combine(Path.GetTempPath(), $"actormesh-localreply-{Guid.NewGuid():N}.log");

    public int Port => Proxy.Port("main");

    public async Task InitializeAsync()
    {
        _upstream = TestUpstream.Start(async (request, stream) =>
        {
            if (request.Target.StartsWith("/app/slow", StringComparison.Ordinal))
            {
                await _release.Task;
            }
            else if (request.Target.StartsWith("/app/missing", StringComparison.Ordinal))
            {
                await TestUpstream.WriteResponse(stream, 404, "upstream 404");
            }
            else
            {
                await TestUpstream.WriteResponse(stream, 200, "ok");
            }
        });
        var accessLog = "access_log:\n"
            + "- name: envoy.access_loggers.file\n"
            + "  typed_config:\n"
            + "    \"@type\": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog\n"
            + $"    path: {LogPath}\n"
            + "    log_format: { text_format: \"%REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_FLAGS% [%LOCAL_REPLY_BODY%]\\n\" }\n";
        Proxy = await ProxyHarness.StartAsync(ThreeClusterConfig.Yaml(accessLog + LocalReplyConfig, _upstream.Port, _dead.Port, Routes, FaultFilter));
    }

    public async Task DisposeAsync()
    {
        _release.TrySetResult();
        await Proxy.DisposeAsync();
        await _upstream.DisposeAsync();
        _dead.Dispose();
        File.Delete(LogPath);
    }
}

/// <summary>
/// <c>local_reply_config</c> on every kind of local reply, exact statuses, headers and bodies over raw sockets; the
/// mappers of <see cref="LocalReplyProxy.LocalReplyConfig"/> in order: 404 → 410 "gone" with the original code in a
/// header; UF → a JSON body; <c>x-teapot</c> → 418; UT → 503 "try later"; every other body as
/// <c>[code] body</c>.
/// </summary>
public sealed class LocalReplyTests(LocalReplyProxy fixture) : IClassFixture<LocalReplyProxy>
{
    private Task<RawResponse> Get(string path, string extraHeaders = "") =>
        RawResponse.Exchange(fixture.Port, $"GET {path} HTTP/1.1\r\nHost: a\r\n{extraHeaders}connection: close\r\n\r\n");

    [Fact]
    public async Task No_route_is_mapped_to_410_with_the_mapper_body_the_body_format_and_the_original_code_in_a_header()
    {
        var response = await Get("/nowhere");

        Assert.Equal(410, response.Status);
        Assert.Equal("[410] gone", response.Body);
        Assert.Equal("text/plain", response.Header("content-type"));
        Assert.Equal("10", response.Header("content-length"));
        Assert.Equal("404", response.Header("x-original-code"));
        // The access log sees the rewritten code and, outside the body format, an empty %LOCAL_REPLY_BODY%.
        Assert.Equal("/nowhere 410 NR []", await LogFile.Line(fixture.LogPath, line => line.StartsWith("/nowhere ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_connect_failure_gets_the_mappers_json_body_as_application_json()
    {
        var response = await Get("/dead/x");

        Assert.Equal(503, response.Status);
        Assert.Equal("application/json", response.Header("content-type"));
        Assert.Equal(
            "{\"error\":\"upstream connect error or disconnect/reset before headers. reset reason: connection failure\",\"code\":503,\"flags\":\"UF\",\"path\":\"/dead/x\"}\n",
            response.Body);
    }

    [Fact]
    public async Task No_healthy_upstream_matches_no_mapper_and_takes_the_body_format()
    {
        var response = await Get("/empty");

        Assert.Equal(503, response.Status);
        Assert.Equal("[503] no healthy upstream", response.Body);
        Assert.Equal("text/plain", response.Header("content-type"));
        Assert.Null(response.Header("x-original-code"));
    }

    [Fact]
    public async Task A_header_filter_mapper_changes_the_status_and_the_body_format_sees_the_new_one()
    {
        var response = await Get("/empty", "x-teapot: yes\r\n");

        Assert.Equal(418, response.Status);
        Assert.Equal("[418] no healthy upstream", response.Body);
    }

    [Fact]
    public async Task The_first_matching_mapper_wins()
    {
        var response = await Get("/nowhere", "x-teapot: yes\r\n");

        Assert.Equal(410, response.Status);
        Assert.Equal("[410] gone", response.Body);
    }

    [Fact]
    public async Task A_route_timeout_is_mapped_by_its_UT_flag_with_a_base64_body()
    {
        var response = await Get("/app/slow");

        Assert.Equal(503, response.Status);
        Assert.Equal("[503] try later", response.Body);
    }

    [Fact]
    public async Task A_fault_abort_is_a_local_reply_too()
    {
        var response = await Get("/app/x", "x-envoy-fault-abort-request: 429\r\n");

        Assert.Equal(429, response.Status);
        Assert.Equal("[429] fault filter abort", response.Body);
    }

    [Fact]
    public async Task A_codec_error_goes_through_the_body_format()
    {
        var response = await RawResponse.Exchange(fixture.Port, "GET / HTTP/1.1\r\nHost a\r\n\r\n");

        Assert.Equal(400, response.Status);
        Assert.Equal("[400] Bad Request", response.Body);
        Assert.Equal("close", response.Header("connection"));
    }

    [Fact]
    public async Task A_direct_response_is_rewritten_as_envoy_does_and_its_route_content_type_gives_way_to_the_formats()
    {
        var response = await Get("/direct");

        Assert.Equal(200, response.Status);
        Assert.Equal("[200] direct body", response.Body);
        Assert.Equal(1, response.CountOf("content-type"));
        Assert.Equal("text/plain", response.Header("content-type"));
    }

    [Fact]
    public async Task Upstream_responses_are_never_mapped()
    {
        var response = await Get("/app/missing");

        Assert.Equal(404, response.Status);
        Assert.Equal("upstream 404", response.Body);
        Assert.Null(response.Header("x-original-code"));
    }

    [Fact]
    public async Task A_head_request_gets_the_mapped_status_without_a_body()
    {
        var response = await RawResponse.Exchange(fixture.Port, "HEAD /nowhere HTTP/1.1\r\nHost: a\r\nconnection: close\r\n\r\n");

        Assert.Equal(410, response.Status);
        Assert.Equal("", response.Body);
        Assert.Null(response.Header("content-type"));
    }
}

/// <summary>Local replies with a proxy of their own: the default (no config), and a mapper steered by the runtime.</summary>
public sealed class LocalReplyDefaultsTests : IAsyncLifetime
{
    private readonly DeadPort _dead = new();
    private TestUpstream _upstream = null!;

    public Task InitializeAsync()
    {
        _upstream = TestUpstream.Answering("ok");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _upstream.DisposeAsync();
        _dead.Dispose();
    }

    private Task<ProxyHarness> Start(string hcmOptions) =>
        ProxyHarness.StartAsync(ThreeClusterConfig.Yaml(hcmOptions, _upstream.Port, _dead.Port));

    private static Task<RawResponse> Get(ProxyHarness proxy, string path) =>
        RawResponse.Exchange(proxy.Port("main"), $"GET {path} HTTP/1.1\r\nHost: a\r\nconnection: close\r\n\r\n");

    [Fact]
    public async Task Without_local_reply_config_replies_go_out_as_made_and_a_direct_response_keeps_its_one_content_type()
    {
        await using var proxy = await Start("generate_request_id: true");

        var notFound = await Get(proxy, "/nowhere");
        var direct = await Get(proxy, "/direct");
        var noHost = await Get(proxy, "/empty");

        Assert.Equal(404, notFound.Status);
        Assert.Equal("", notFound.Body);
        Assert.Null(notFound.Header("content-type"));
        Assert.Equal("direct body", direct.Body);
        Assert.Equal(1, direct.CountOf("content-type"));
        Assert.Equal("text/html", direct.Header("content-type"));
        Assert.Equal("no healthy upstream", noHost.Body);
        Assert.Equal("text/plain", noHost.Header("content-type"));
    }

    [Fact]
    public async Task A_status_code_filters_runtime_key_moves_the_mapper_to_another_code()
    {
        await using var proxy = await Start("""
            local_reply_config:
              mappers:
              - filter: { status_code_filter: { comparison: { value: { default_value: 404, runtime_key: local_reply.code } } } }
                status_code: 410
                body: { inline_string: gone }
            """);
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{proxy.AdminPort}") };

        var before = await Get(proxy, "/nowhere");
        (await admin.PostAsync("/runtime_modify?local_reply.code=503", null)).EnsureSuccessStatusCode();
        var notFound = await Get(proxy, "/nowhere");
        var noHost = await Get(proxy, "/empty");

        Assert.Equal((410, "gone"), (before.Status, before.Body));
        Assert.Equal((404, ""), (notFound.Status, notFound.Body));
        Assert.Equal((410, "gone"), (noHost.Status, noHost.Body));
        // The admin shows the model: the mapper's filter under its Envoy name.
        var dump = await admin.GetStringAsync("/config_dump");
        Assert.Contains("\"status_code_filter\"", dump);
        Assert.Contains("\"runtime_key\": \"local_reply.code\"", dump);
    }
}

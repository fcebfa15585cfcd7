using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Tracing;

/// <summary>
/// Requests through a real proxy with a <c>tracing</c> block, spans at a loopback collector: what the upstream sees of
/// the trace context, what the collector receives, sampling, and that a dead collector costs requests nothing.
/// </summary>
public sealed class TracingEndToEndTests
{
    private const string IncomingTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string IncomingSpan = "00f067aa0ba902b7";

    private static string OpenTelemetry(string sampling = "", string extra = "") =>
        "tracing:\n"
        + sampling
        + "  provider:\n"
        + "    name: envoy.tracers.opentelemetry\n"
        + "    typed_config:\n"
        + "      \"@type\": type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig\n"
        + "      service_name: edge-proxy\n"
        + "      http_service:\n"
        + "        http_uri: { uri: \"http://otel-collector:4318/v1/traces\", cluster: collector, timeout: 1s }\n"
        + "        request_headers_to_add:\n"
        + "        - header: { key: x-api-key, value: secret }\n"
        + extra;

    private static string Zipkin(bool shared = true) =>
        "tracing:\n"
        + "  provider:\n"
        + "    name: envoy.tracers.zipkin\n"
        + "    typed_config:\n"
        + "      \"@type\": type.googleapis.com/envoy.config.trace.v3.ZipkinConfig\n"
        + "      collector_cluster: collector\n"
        + "      collector_endpoint: /api/v2/spans\n"
        + "      collector_endpoint_version: HTTP_JSON\n"
        + $"      shared_span_context: {(shared ? "true" : "false")}\n";

    private static string Config(int upstreamPort, int collectorPort, string? tracing, string routes = "routes:\n- match: { prefix: \"/\" }\n  route: { cluster: backend }")
    {
        var yaml = ProxyHarness.ConfigWith(routes, [upstreamPort], hcmOptions: tracing);
        var collector = "  - name: collector\n"
            + "    connect_timeout: 1s\n"
            + "    type: STATIC\n"
            + "    load_assignment:\n"
            + "      cluster_name: collector\n"
            + "      endpoints:\n"
            + "      - lb_endpoints:\n"
            + $"        - endpoint: {{ address: {{ socket_address: {{ address: 127.0.0.1, port_value: {collectorPort} }} }} }}\n";
        return yaml.Replace("admin:\n", collector + "admin:\n");
    }

    /// <summary>An upstream answering 200 that keeps every request it got.</summary>
    private static (TestUpstream Upstream, ConcurrentQueue<UpstreamRequest> Seen) RecordingUpstream()
    {
        var seen = new ConcurrentQueue<UpstreamRequest>();
        var upstream = TestUpstream.Start(async (request, stream) =>
        {
            seen.Enqueue(request);
            await TestUpstream.WriteResponse(stream, 200, "ok");
        });
        return (upstream, seen);
    }

    private static Task<string> Get(int port, string path = "/", params string[] headers) =>
        RawHttp.Exchange(port, $"GET {path} HTTP/1.1\r\nHost: example.com\r\n{string.Concat(headers.Select(h => h + "\r\n"))}Connection: close\r\n\r\n");

    private static IEnumerable<OtlpSpan> Otlp(UpstreamRequest report) => OtlpReader.Read(report.Body);

    private static IEnumerable<JsonElement> ZipkinSpans(UpstreamRequest report) =>
        JsonDocument.Parse(report.Body).RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();

    [Fact]
    public async Task OpenTelemetry_continues_an_incoming_traceparent_and_exports_OTLP_protobuf()
    {
        await using var collector = new LoopbackCollector();
        var (upstream, seen) = RecordingUpstream();
        await using var _ = upstream;
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port, collector.Port, OpenTelemetry()));

        var response = await Get(proxy.Port("main"), "/items?id=7", $"traceparent: 00-{IncomingTrace}-{IncomingSpan}-01", "tracestate: vendor=1", "user-agent: test-agent");

        Assert.StartsWith("HTTP/1.1 200", response);
        var sent = Assert.Single(seen);
        var traceparent = sent.Header("traceparent")!.Split('-');
        Assert.Equal(["00", IncomingTrace], traceparent[..2]);
        Assert.NotEqual(IncomingSpan, traceparent[2]);
        Assert.Equal("01", traceparent[3]);
        Assert.Equal("vendor=1", sent.Header("tracestate"));

        var span = Assert.Single(await collector.WaitForSpans(Otlp, spans => spans.Count >= 1));
        Assert.Equal(IncomingTrace, span.TraceId);
        Assert.Equal(traceparent[2], span.SpanId);
        Assert.Equal(IncomingSpan, span.ParentSpanId);
        Assert.Equal("ingress", span.Name);
        Assert.Equal(2, span.Kind);
        Assert.Equal("edge-proxy", span.ServiceName);
        Assert.True(span.EndNanos >= span.StartNanos && span.StartNanos > 0);
        Assert.Equal("200", span.Attributes["http.status_code"]);
        Assert.Equal("GET", span.Attributes["http.method"]);
        Assert.Equal("http://example.com/items?id=7", span.Attributes["http.url"]);
        Assert.Equal("backend", span.Attributes["upstream_cluster"]);
        Assert.Equal("-", span.Attributes["response_flags"]);
        Assert.Equal("proxy", span.Attributes["component"]);
        Assert.Equal("test-agent", span.Attributes["user_agent"]);
        Assert.Equal("2", span.Attributes["response_size"]);
        Assert.Equal(sent.Header("x-request-id"), span.Attributes["guid:x-request-id"]);
        Assert.False(span.Attributes.ContainsKey("error"));
        Assert.Equal(0, span.StatusCode);

        var report = Assert.Single(collector.Reports);
        Assert.Equal("POST", report.Method);
        Assert.Equal("/v1/traces", report.Target);
        Assert.Equal("application/x-protobuf", report.Header("content-type"));
        Assert.Equal("otel-collector:4318", report.Header("host"));
        Assert.Equal("secret", report.Header("x-api-key"));
        Assert.Null(report.Header("traceparent"));

        var dump = await RawHttp.Exchange(proxy.AdminPort, "GET /config_dump HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n");
        Assert.Contains("envoy.tracers.opentelemetry", dump);
        Assert.Contains("http://otel-collector:4318/v1/traces", dump);
    }

    [Fact]
    public async Task OpenTelemetry_starts_a_trace_when_none_came_and_rewrites_incoming_B3()
    {
        await using var collector = new LoopbackCollector();
        var (upstream, seen) = RecordingUpstream();
        await using var _ = upstream;
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port, collector.Port, OpenTelemetry()));

        Assert.StartsWith("HTTP/1.1 200", await Get(proxy.Port("main")));
        Assert.StartsWith("HTTP/1.1 200", await Get(proxy.Port("main"), "/", $"x-b3-traceid: {IncomingTrace}", $"x-b3-spanid: {IncomingSpan}", "x-b3-sampled: 1"));

        var requests = seen.ToArray();
        var fresh = requests[0].Header("traceparent")!.Split('-');
        Assert.Equal(32, fresh[1].Length);
        Assert.Null(requests[0].Header("x-b3-traceid"));
        var fromB3 = requests[1];
        Assert.Equal(IncomingTrace, fromB3.Header("x-b3-traceid"));
        Assert.Equal(IncomingSpan, fromB3.Header("x-b3-parentspanid"));
        var spanId = fromB3.Header("x-b3-spanid");
        Assert.Equal($"00-{IncomingTrace}-{spanId}-01", fromB3.Header("traceparent"));

        var spans = await collector.WaitForSpans(Otlp, s => s.Count >= 2);
        var root = Assert.Single(spans, s => s.TraceId == fresh[1]);
        Assert.Equal(fresh[2], root.SpanId);
        Assert.Equal("", root.ParentSpanId);
        var child = Assert.Single(spans, s => s.TraceId == IncomingTrace);
        Assert.Equal(spanId, child.SpanId);
        Assert.Equal(IncomingSpan, child.ParentSpanId);
    }

    [Fact]
    public async Task Zipkin_shares_the_callers_span_by_default_and_posts_v2_JSON()
    {
        await using var collector = new LoopbackCollector(status: 202);
        var (upstream, seen) = RecordingUpstream();
        await using var _ = upstream;
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port, collector.Port, Zipkin()));
        const string trace = "463ac35c9f6413ad";
        const string parent = "0020000000000001";

        var response = await Get(proxy.Port("main"), "/z", $"x-b3-traceid: {trace}", $"x-b3-spanid: {IncomingSpan}", $"x-b3-parentspanid: {parent}", "x-b3-sampled: 1");

        Assert.StartsWith("HTTP/1.1 200", response);
        var sent = Assert.Single(seen);
        Assert.Equal(trace, sent.Header("x-b3-traceid"));
        Assert.Equal(IncomingSpan, sent.Header("x-b3-spanid"));
        Assert.Equal(parent, sent.Header("x-b3-parentspanid"));
        Assert.Equal("1", sent.Header("x-b3-sampled"));

        var span = Assert.Single(await collector.WaitForSpans(ZipkinSpans, s => s.Count >= 1));
        Assert.Equal(trace, span.GetProperty("traceId").GetString());
        Assert.Equal(IncomingSpan, span.GetProperty("id").GetString());
        Assert.Equal(parent, span.GetProperty("parentId").GetString());
        Assert.Equal("ingress", span.GetProperty("name").GetString());
        Assert.Equal("SERVER", span.GetProperty("kind").GetString());
        Assert.True(span.GetProperty("shared").GetBoolean());
        Assert.True(span.GetProperty("duration").GetInt64() >= 1);
        var tags = span.GetProperty("tags");
        Assert.Equal("200", tags.GetProperty("http.status_code").GetString());
        Assert.Equal("backend", tags.GetProperty("upstream_cluster").GetString());
        Assert.Equal(sent.Header("x-request-id"), tags.GetProperty("guid:x-request-id").GetString());

        var report = Assert.Single(collector.Reports);
        Assert.Equal("/api/v2/spans", report.Target);
        Assert.Equal("application/json", report.Header("content-type"));
        Assert.Equal("collector", report.Header("host"));
    }

    [Fact]
    public async Task Zipkin_without_shared_context_is_a_child_span_and_keeps_the_single_b3_form()
    {
        await using var collector = new LoopbackCollector(status: 202);
        var (upstream, seen) = RecordingUpstream();
        await using var _ = upstream;
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port, collector.Port, Zipkin(shared: false)));
        const string trace = "463ac35c9f6413ad";

        Assert.StartsWith("HTTP/1.1 200", await Get(proxy.Port("main"), "/", $"b3: {trace}-{IncomingSpan}-1"));

        var b3 = Assert.Single(seen).Header("b3")!.Split('-');
        Assert.Equal(4, b3.Length);
        Assert.Equal(trace, b3[0]);
        Assert.NotEqual(IncomingSpan, b3[1]);
        Assert.Equal(["1", IncomingSpan], b3[2..]);
        Assert.Null(seen.Single().Header("x-b3-traceid"));

        var span = Assert.Single(await collector.WaitForSpans(ZipkinSpans, s => s.Count >= 1));
        Assert.Equal(b3[1], span.GetProperty("id").GetString());
        Assert.Equal(IncomingSpan, span.GetProperty("parentId").GetString());
        Assert.False(span.TryGetProperty("shared", out var _));
    }

    [Fact]
    public async Task Random_sampling_zero_exports_only_the_forced_trace()
    {
        await using var collector = new LoopbackCollector();
        var (upstream, seen) = RecordingUpstream();
        await using var _ = upstream;
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port, collector.Port, OpenTelemetry("  random_sampling: { value: 0 }\n")));

        for (var i = 0; i < 3; i++)
        {
            Assert.StartsWith("HTTP/1.1 200", await Get(proxy.Port("main"), "/unsampled"));
        }
        Assert.StartsWith("HTTP/1.1 200", await Get(proxy.Port("main"), "/forced", "x-envoy-force-trace: true"));

        // The forced span arriving means the earlier, unsampled ones would have been exported by now too.
        var spans = await collector.WaitForSpans(Otlp, s => s.Any(span => span.Attributes["http.url"].EndsWith("/forced")));
        var forced = Assert.Single(spans);
        var requests = seen.ToArray();
        Assert.All(requests[..3], r => Assert.EndsWith("-00", r.Header("traceparent")));
        Assert.EndsWith("-01", requests[3].Header("traceparent"));
        // Envoy marks a forced trace in the request id's version digit.
        Assert.Equal('b', requests[3].Header("x-request-id")![14]);
        Assert.Equal(requests[3].Header("x-request-id"), forced.Attributes["guid:x-request-id"]);
    }

    [Fact]
    public async Task A_sampled_caller_is_traced_even_when_random_sampling_is_zero()
    {
        await using var collector = new LoopbackCollector();
        var (upstream, _) = RecordingUpstream();
        await using var __ = upstream;
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port, collector.Port, OpenTelemetry("  random_sampling: { value: 0 }\n")));

        Assert.StartsWith("HTTP/1.1 200", await Get(proxy.Port("main"), "/", $"traceparent: 00-{IncomingTrace}-{IncomingSpan}-01"));

        var span = Assert.Single(await collector.WaitForSpans(Otlp, s => s.Count >= 1));
        Assert.Equal(IncomingTrace, span.TraceId);
    }

    [Fact]
    public async Task Connect_failure_and_no_route_spans_carry_status_flags_and_error()
    {
        await using var collector = new LoopbackCollector();
        var deadPort = DeadPort();
        var routes = "routes:\n- match: { prefix: \"/api\" }\n  route: { cluster: backend }";
        await using var proxy = await ProxyHarness.StartAsync(Config(deadPort, collector.Port, OpenTelemetry(), routes));

        Assert.StartsWith("HTTP/1.1 503", await Get(proxy.Port("main"), "/api"));
        Assert.StartsWith("HTTP/1.1 404", await Get(proxy.Port("main"), "/elsewhere"));

        var spans = await collector.WaitForSpans(Otlp, s => s.Count >= 2);
        var failed = Assert.Single(spans, s => s.Attributes["http.status_code"] == "503");
        Assert.Equal("UF", failed.Attributes["response_flags"]);
        Assert.Equal("backend", failed.Attributes["upstream_cluster"]);
        Assert.Equal("true", failed.Attributes["error"]);
        Assert.Equal(2, failed.StatusCode);
        var noRoute = Assert.Single(spans, s => s.Attributes["http.status_code"] == "404");
        Assert.Equal("NR", noRoute.Attributes["response_flags"]);
        Assert.False(noRoute.Attributes.ContainsKey("upstream_cluster"));
        Assert.False(noRoute.Attributes.ContainsKey("error"));
        // The request went nowhere, but its span still names a request id, marked sampled as Envoy marks it.
        Assert.Equal('9', noRoute.Attributes["guid:x-request-id"][14]);
    }

    [Fact]
    public async Task A_dead_collector_never_slows_or_fails_requests()
    {
        // One collector refuses connections; the other accepts them and never answers (reports time out after 1 s).
        var refused = DeadPort();
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var (upstream, seen) = RecordingUpstream();
        await using var _ = upstream;
        foreach (var collectorPort in new[] { refused, ((IPEndPoint)silent.LocalEndpoint).Port })
        {
            await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port, collectorPort, OpenTelemetry()));
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < 40; i++)
            {
                Assert.StartsWith("HTTP/1.1 200", await Get(proxy.Port("main")));
            }
            // 40 requests that each waited for a report would take 40 s against the silent collector.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"40 requests took {clock.Elapsed}");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (proxy.Stat("tracing.opentelemetry.http_reports_failed") == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the exporter never reported a failed report");
                await Task.Delay(20);
            }
            Assert.Equal(0, proxy.Stat("tracing.opentelemetry.spans_sent"));
        }
        Assert.Equal(80, seen.Count);
    }

    [Fact]
    public async Task Without_tracing_the_proxy_adds_no_trace_context()
    {
        await using var collector = new LoopbackCollector();
        var (upstream, seen) = RecordingUpstream();
        await using var _ = upstream;
        await using var proxy = await ProxyHarness.StartAsync(Config(upstream.Port, collector.Port, tracing: null));

        Assert.StartsWith("HTTP/1.1 200", await Get(proxy.Port("main"), "/", $"x-b3-traceid: {IncomingTrace}", $"x-b3-spanid: {IncomingSpan}"));

        var sent = Assert.Single(seen);
        Assert.Null(sent.Header("traceparent"));
        Assert.Equal(IncomingSpan, sent.Header("x-b3-spanid"));
        Assert.Equal('4', sent.Header("x-request-id")![14]);
        Assert.Empty(collector.Reports);
    }

    /// <summary>A loopback port nothing listens on: bound once to learn it, then released.</summary>
    private static int DeadPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

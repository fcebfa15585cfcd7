using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ActorMesh.Tests.Routing;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Listeners;

/// <summary>Route actions end to end: real clients, the proxy on 127.0.0.1, upstreams that record what they got.</summary>
public sealed class RoutingProxyTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static HttpClient Client() =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>An upstream answering <paramref name="name"/> and keeping every request it received.</summary>
    private sealed class Recording : IAsyncDisposable
    {
        private readonly TestUpstream _upstream;

        public Recording(string name, params string[] responseHeaders)
        {
            _upstream = TestUpstream.Start((request, stream) =>
            {
                Requests.Enqueue(request);
                Arrived.Release();
                return TestUpstream.WriteResponse(stream, 200, name, responseHeaders);
            });
        }

        public int Port => _upstream.Port;
        public ConcurrentQueue<UpstreamRequest> Requests { get; } = new();
        public SemaphoreSlim Arrived { get; } = new(0);

        public async Task<UpstreamRequest> Next()
        {
            Assert.True(await Arrived.WaitAsync(Wait), "no request reached the upstream");
            Assert.True(Requests.TryDequeue(out var request));
            return request!;
        }

        public ValueTask DisposeAsync() => _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Weighted_clusters_split_80_20_over_2000_requests()
    {
        await using var a = new Recording("a");
        await using var b = new Recording("b");
        var routes = "routes:\n- match: { prefix: / }\n  route:\n    weighted_clusters:\n      clusters:\n"
            + "      - { name: a, weight: 80, request_headers_to_add: [ { header: { key: x-picked, value: a } } ] }\n"
            + "      - { name: b, weight: 20 }";
        await using var proxy = await ProxyHarness.StartAsync(RoutingYaml.Config(routes, new Dictionary<string, int> { ["a"] = a.Port, ["b"] = b.Port }));
        using var client = Client();
        var url = $"http://127.0.0.1:{proxy.Port("main")}/";

        var counts = new ConcurrentDictionary<string, int>();
        await Parallel.ForAsync(0, 2000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, ct) =>
        {
            var body = await client.GetStringAsync(url, ct);
            counts.AddOrUpdate(body, 1, (_, n) => n + 1);
        });

        Assert.Equal(2000, counts.Values.Sum());
        Assert.InRange(counts.GetValueOrDefault("a") / 20.0, 77.0, 83.0);
        Assert.All(a.Requests, r => Assert.Equal("a", r.Header("x-picked")));
        Assert.All(b.Requests, r => Assert.Null(r.Header("x-picked")));
    }

    [Fact]
    public async Task Rewrites_reach_the_upstream_with_the_original_path_kept()
    {
        await using var upstream = new Recording("ok");
        var routes = "routes:\n"
            + "- match: { prefix: /pre/ }\n  route: { cluster: backend, prefix_rewrite: /new/ }\n"
            + "- match: { prefix: /re/ }\n  route: { cluster: backend, regex_rewrite: { pattern: { regex: \"^/re/(\\\\w+)/(\\\\w+)$\" }, substitution: \"/\\\\2/\\\\1\" } }\n"
            + "- match: { prefix: /host }\n  route: { cluster: backend, host_rewrite_literal: rewritten.example }\n"
            + "- match: { prefix: /v2host }\n  route: { cluster: backend, host_rewrite: legacy.example }\n"
            + "- match: { prefix: /auto }\n  route: { cluster: dns, auto_host_rewrite: true }\n"
            + "- match: { prefix: /plain }\n  route: { cluster: backend }";
        var clusters = new Dictionary<string, int> { ["backend"] = upstream.Port, ["dns"] = upstream.Port };
        await using var proxy = await ProxyHarness.StartAsync(RoutingYaml.Config(routes, clusters, dnsClusters: new HashSet<string> { "dns" }));
        using var client = Client();
        var port = proxy.Port("main");

        await client.GetStringAsync($"http://127.0.0.1:{port}/pre/x?q=1");
        var prefix = await upstream.Next();
        await client.GetStringAsync($"http://127.0.0.1:{port}/re/a/b?q=2");
        var regex = await upstream.Next();
        await client.GetStringAsync($"http://127.0.0.1:{port}/host");
        var host = await upstream.Next();
        await client.GetStringAsync($"http://127.0.0.1:{port}/v2host");
        var legacyHost = await upstream.Next();
        await client.GetStringAsync($"http://127.0.0.1:{port}/auto");
        var auto = await upstream.Next();
        await client.GetStringAsync($"http://127.0.0.1:{port}/plain");
        var plain = await upstream.Next();

        Assert.Equal("/new/x?q=1", prefix.Target);
        Assert.Equal("/pre/x?q=1", prefix.Header("x-envoy-original-path"));
        Assert.Equal("/b/a?q=2", regex.Target);
        Assert.Equal("/re/a/b?q=2", regex.Header("x-envoy-original-path"));
        Assert.Equal("rewritten.example", host.Header("host"));
        Assert.Equal("legacy.example", legacyHost.Header("host"));
        Assert.Equal("localhost", auto.Header("host"));
        Assert.Equal($"127.0.0.1:{port}", plain.Header("host"));
        Assert.Null(plain.Header("x-envoy-original-path"));
    }

    [Theory]
    [InlineData("/r1/x?q=1", "{ https_redirect: true }", 301, "https://example.com/r1/x?q=1")]
    [InlineData("/r2/x", "{ scheme_redirect: HTTPS, host_redirect: other.example, port_redirect: 8443 }", 301, "https://other.example:8443/r2/x")]
    [InlineData("/r3/x?q=1", "{ path_redirect: /moved, response_code: FOUND }", 302, "http://example.com/moved?q=1")]
    [InlineData("/r4/x?q=1", "{ prefix_rewrite: /four/, response_code: SEE_OTHER }", 303, "http://example.com/four/x?q=1")]
    [InlineData("/r5/x", "{ regex_rewrite: { pattern: { regex: \"x$\" }, substitution: y }, response_code: TEMPORARY_REDIRECT }", 307, "http://example.com/r5/y")]
    [InlineData("/r6/x?q=1", "{ strip_query: true, response_code: PERMANENT_REDIRECT }", 308, "http://example.com/r6/x")]
    public async Task Redirects_answer_with_location_and_status(string target, string redirect, int status, string location)
    {
        var prefix = target[..4];
        var routes = $"routes:\n- match: {{ prefix: \"{prefix}\" }}\n  redirect: {redirect}\n  response_headers_to_add: [ {{ header: {{ key: x-redirected, value: \"yes\" }} }} ]";
        await using var proxy = await ProxyHarness.StartAsync(RoutingYaml.Config(routes, RoutingYaml.OneCluster));
        using var client = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{proxy.Port("main")}{target}");
        request.Headers.Host = "example.com";

        using var response = await client.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(location, response.Headers.Location?.OriginalString);
        Assert.Equal("yes", response.Headers.GetValues("x-redirected").Single());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, proxy.Stat("http.ingress_http.rq_redirect"));
    }

    [Fact]
    public async Task Direct_response_answers_without_an_upstream()
    {
        var routes = "routes:\n"
            + "- match: { prefix: /ws }\n  direct_response: { status: 200, body: { inline_string: \"NotWebSocket\\n\" } }\n"
            + "- match: { prefix: /bytes }\n  direct_response: { status: 418, body: { inline_bytes: aGVsbG8= } }\n"
            + "- match: { prefix: /empty }\n  direct_response: { status: 503 }";
        await using var proxy = await ProxyHarness.StartAsync(RoutingYaml.Config(routes, RoutingYaml.OneCluster));
        using var client = Client();
        var port = proxy.Port("main");

        using var text = await client.GetAsync($"http://127.0.0.1:{port}/ws");
        using var bytes = await client.GetAsync($"http://127.0.0.1:{port}/bytes");
        using var empty = await client.GetAsync($"http://127.0.0.1:{port}/empty");

        Assert.Equal(HttpStatusCode.OK, text.StatusCode);
        Assert.Equal("NotWebSocket\n", await text.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", text.Content.Headers.ContentType?.MediaType);
        Assert.Equal(418, (int)bytes.StatusCode);
        Assert.Equal("hello", await bytes.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, empty.StatusCode);
        Assert.Equal(string.Empty, await empty.Content.ReadAsStringAsync());
        Assert.Equal(3, proxy.Stat("http.ingress_http.rq_direct_response"));
    }

    [Fact]
    public async Task Cluster_header_picks_the_cluster_and_an_unknown_or_missing_one_is_503_NC()
    {
        await using var upstream = new Recording("chosen");
        var routes = "routes:\n- match: { prefix: / }\n  route: { cluster_header: x-cluster }";
        await using var proxy = await ProxyHarness.StartAsync(RoutingYaml.Config(routes, new Dictionary<string, int> { ["backend"] = upstream.Port }));
        using var client = Client();
        var url = $"http://127.0.0.1:{proxy.Port("main")}/";

        using var known = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "x-cluster", "backend" } } };
        using var unknown = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "x-cluster", "nope" } } };
        using var knownResponse = await client.SendAsync(known);
        using var unknownResponse = await client.SendAsync(unknown);
        using var missingResponse = await client.GetAsync(url);

        Assert.Equal("chosen", await knownResponse.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unknownResponse.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, missingResponse.StatusCode);
        Assert.Equal(2, proxy.Stat("http.ingress_http.no_cluster"));
    }

    [Fact]
    public async Task Mirror_sends_a_shadow_copy_while_the_client_gets_the_primary_answer()
    {
        await using var primary = new Recording("primary");
        await using var shadow = new Recording("shadow");
        var routes = "routes:\n- match: { prefix: / }\n  route: { cluster: primary, request_mirror_policies: [ { cluster: shadow, runtime_fraction: { default_value: { numerator: 100 } } } ] }";
        await using var proxy = await ProxyHarness.StartAsync(RoutingYaml.Config(routes, new Dictionary<string, int> { ["primary"] = primary.Port, ["shadow"] = shadow.Port }));
        using var client = Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{proxy.Port("main")}/orders?id=7")
        {
            Content = new StringContent("{\"n\":1}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Host = "shop.example:8080";

        using var response = await client.SendAsync(request);
        var mainBody = await response.Content.ReadAsStringAsync();
        var copy = await shadow.Next();
        var original = await primary.Next();

        Assert.Equal("primary", mainBody);
        Assert.Equal("shop.example-shadow:8080", copy.Header("host"));
        Assert.Equal("shop.example:8080", original.Header("host"));
        Assert.Equal("/orders?id=7", copy.Target);
        Assert.Equal("POST", copy.Method);
        Assert.Equal("{\"n\":1}", Encoding.UTF8.GetString(copy.Body));
    }

    [Fact]
    public async Task A_dead_or_unknown_mirror_never_fails_the_request()
    {
        await using var primary = new Recording("primary");
        var routes = "routes:\n- match: { prefix: / }\n  route: { cluster: primary, request_mirror_policies: [ { cluster: dead }, { cluster_header: x-mirror } ] }";
        using var dead = new DeadPort();
        await using var proxy = await ProxyHarness.StartAsync(RoutingYaml.Config(routes, new Dictionary<string, int> { ["primary"] = primary.Port, ["dead"] = dead.Port }));
        using var client = Client();
        var url = $"http://127.0.0.1:{proxy.Port("main")}/";

        for (var i = 0; i < 5; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "x-mirror", "no-such-cluster" } } };
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("primary", await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(5, primary.Requests.Count);
    }

    [Fact]
    public async Task Header_mutations_apply_at_three_levels_in_envoys_order_with_formatters()
    {
        await using var upstream = new Recording("ok", "x-internal: secret", "x-from-upstream: u1");
        var routeConfig = "request_headers_to_add:\n"
            + "- { header: { key: x-level, value: config } }\n"
            + "- { header: { key: x-over, value: config }, append_action: OVERWRITE_IF_EXISTS_OR_ADD }\n"
            + "response_headers_to_add:\n"
            + "- { header: { key: x-level, value: config } }\n"
            + "response_headers_to_remove: [ x-internal ]";
        var routes = "request_headers_to_add:\n"
            + "- { header: { key: x-level, value: vhost } }\n"
            + "- { header: { key: x-client, value: vhost }, append_action: ADD_IF_ABSENT }\n"
            + "- { header: { key: x-only-if, value: vhost }, append_action: OVERWRITE_IF_EXISTS }\n"
            + "response_headers_to_add:\n"
            + "- { header: { key: x-level, value: vhost } }\n"
            + "routes:\n"
            + "- match: { prefix: / }\n"
            + "  route: { cluster: backend }\n"
            + "  request_headers_to_remove: [ x-secret ]\n"
            + "  request_headers_to_add:\n"
            + "  - { header: { key: x-level, value: route } }\n"
            + "  - { header: { key: x-over, value: route } }\n"
            + "  - { header: { key: x-peer, value: \"%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%\" } }\n"
            + "  - { header: { key: x-echo, value: \"in=%REQ(x-in)% 100%% %PROTOCOL% port=%DOWNSTREAM_LOCAL_PORT%\" } }\n"
            + "  - { header: { key: x-local, value: \"%DOWNSTREAM_LOCAL_ADDRESS%\" } }\n"
            + "  - { header: { key: x-empty, value: \"%REQ(x-absent)%\" } }\n"
            + "  - { header: { key: x-kept-empty, value: \"%REQ(x-absent)%\" }, keep_empty_value: true }\n"
            + "  - { header: { key: x-replaced, value: new }, append: false }\n"
            + "  response_headers_to_add:\n"
            + "  - { header: { key: x-level, value: route } }\n"
            + "  - { header: { key: x-upstream, value: \"%UPSTREAM_HOST%\" } }\n"
            + "  - { header: { key: x-resp, value: \"got %RESP(x-from-upstream)%\" } }";
        await using var proxy = await ProxyHarness.StartAsync(RoutingYaml.Config(routes, new Dictionary<string, int> { ["backend"] = upstream.Port }, routeConfig));
        using var client = Client();
        var port = proxy.Port("main");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/")
        {
            Headers = { { "x-in", "abc" }, { "x-secret", "s" }, { "x-client", "mine" }, { "x-replaced", "old" } },
        };

        using var response = await client.SendAsync(request);
        var seen = await upstream.Next();
        string[] All(string name) => seen.Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToArray();

        Assert.Equal(["route", "vhost", "config"], All("x-level"));
        Assert.Equal(["config"], All("x-over"));
        Assert.Equal(["mine"], All("x-client"));
        Assert.Empty(All("x-only-if"));
        Assert.Empty(All("x-secret"));
        Assert.Equal("127.0.0.1", seen.Header("x-peer"));
        Assert.Equal($"in=abc 100% HTTP/1.1 port={port}", seen.Header("x-echo"));
        Assert.Equal($"127.0.0.1:{port}", seen.Header("x-local"));
        Assert.Empty(All("x-empty"));
        Assert.Equal([""], All("x-kept-empty"));
        Assert.Equal(["new"], All("x-replaced"));

        Assert.Equal(["route", "vhost", "config"], response.Headers.GetValues("x-level"));
        Assert.Equal($"127.0.0.1:{upstream.Port}", response.Headers.GetValues("x-upstream").Single());
        Assert.Equal("got u1", response.Headers.GetValues("x-resp").Single());
        Assert.False(response.Headers.Contains("x-internal"));
    }

    [Fact]
    public async Task Most_specific_header_mutations_wins_reverses_the_order()
    {
        await using var upstream = new Recording("ok");
        var routeConfig = "most_specific_header_mutations_wins: true\nrequest_headers_to_add: [ { header: { key: x-over, value: config }, append_action: OVERWRITE_IF_EXISTS_OR_ADD } ]";
        var routes = "routes:\n- match: { prefix: / }\n  route: { cluster: backend }\n  request_headers_to_add: [ { header: { key: x-over, value: route }, append_action: OVERWRITE_IF_EXISTS_OR_ADD } ]";
        await using var proxy = await ProxyHarness.StartAsync(RoutingYaml.Config(routes, new Dictionary<string, int> { ["backend"] = upstream.Port }, routeConfig));
        using var client = Client();

        await client.GetStringAsync($"http://127.0.0.1:{proxy.Port("main")}/");

        Assert.Equal("route", (await upstream.Next()).Header("x-over"));
    }

    [Fact]
    public async Task Header_and_query_matches_route_requests_through_the_proxy()
    {
        await using var stable = new Recording("stable");
        await using var canary = new Recording("canary");
        var routes = "routes:\n"
            + "- match: { prefix: /, headers: [ { name: x-canary-version, exact_match: service2a } ] }\n  route: { cluster: canary }\n"
            + "- match: { prefix: /, query_parameters: [ { name: canary, present_match: true } ] }\n  route: { cluster: canary }\n"
            + "- match: { prefix: / }\n  route: { cluster: stable }";
        await using var proxy = await ProxyHarness.StartAsync(RoutingYaml.Config(routes, new Dictionary<string, int> { ["stable"] = stable.Port, ["canary"] = canary.Port }));
        using var client = Client();
        var url = $"http://127.0.0.1:{proxy.Port("main")}/service/2";

        using var byHeader = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "x-canary-version", "service2a" } } };
        using var otherHeader = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "x-canary-version", "service2b" } } };

        Assert.Equal("canary", await (await client.SendAsync(byHeader)).Content.ReadAsStringAsync());
        Assert.Equal("stable", await (await client.SendAsync(otherHeader)).Content.ReadAsStringAsync());
        Assert.Equal("canary", await client.GetStringAsync(url + "?canary"));
        Assert.Equal("stable", await client.GetStringAsync(url + "?other"));
    }

    [Fact]
    public async Task Config_dump_shows_the_routing_fields()
    {
        var routes = "request_headers_to_add: [ { header: { key: x-level, value: vhost } } ]\nroutes:\n"
            + "- match: { safe_regex: { regex: \"/v[0-9]+\" }, headers: [ { name: x, range_match: { start: 1, end: 2 } } ] }\n"
            + "  route: { weighted_clusters: { clusters: [ { name: backend, weight: 3 } ] }, hash_policy: [ { header: { header_name: x-user } } ] }\n"
            + "- match: { prefix: /r }\n  redirect: { https_redirect: true }";
        await using var proxy = await ProxyHarness.StartAsync(RoutingYaml.Config(routes, RoutingYaml.OneCluster));
        using var client = Client();

        using var response = await client.GetAsync($"http://127.0.0.1:{proxy.AdminPort}/config_dump");
        var dump = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("x-level", dump);
        Assert.Contains("/v[0-9]+", dump);
        Assert.Contains("x-user", dump);
        Assert.Contains("https", dump);
    }

    [Fact]
    public async Task Runtime_fraction_follows_a_key_set_through_the_admin()
    {
        await using var stable = new Recording("stable");
        await using var canary = new Recording("canary");
        var routes = "routes:\n"
            + "- match: { prefix: /, runtime_fraction: { default_value: { numerator: 0 }, runtime_key: routing.canary } }\n  route: { cluster: canary }\n"
            + "- match: { prefix: / }\n  route: { cluster: stable }";
        await using var proxy = await ProxyHarness.StartAsync(RoutingYaml.Config(routes, new Dictionary<string, int> { ["stable"] = stable.Port, ["canary"] = canary.Port }));
        using var client = Client();
        var url = $"http://127.0.0.1:{proxy.Port("main")}/";

        var before = await client.GetStringAsync(url);
        using var modify = await client.PostAsync($"http://127.0.0.1:{proxy.AdminPort}/runtime_modify?routing.canary=100", null);
        var after = await client.GetStringAsync(url);

        Assert.Equal("stable", before);
        Assert.Equal(HttpStatusCode.OK, modify.StatusCode);
        Assert.Equal("canary", after);
    }
}

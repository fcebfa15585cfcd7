using System.Diagnostics;
using System.Net;
using Xunit;

namespace ActorMesh.Tests.Filters;

/// <summary>envoy.filters.http.fault through a real proxy: aborts, delays, header-controlled faults, limits, overrides.</summary>
public sealed class FaultFilterTests
{
    private static string Fault(string body) =>
        "- name: envoy.filters.http.fault\n"
        + "  typed_config:\n"
        + "    \"@type\": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault\n"
        + ProxyIndent(body, 4);

    private static string ProxyIndent(string yaml, int spaces) => Support.ProxyHarness.Indent(yaml, spaces);

    [Fact]
    public async Task Abort_at_100_percent_answers_locally_with_FI_and_never_reaches_the_upstream()
    {
        await using var proxy = await FilterProxy.StartAsync(Fault("abort:\n  http_status: 503\n  percentage: { numerator: 100 }"));

        using var response = await proxy.Send("/x");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("fault filter abort", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, proxy.Upstream.Requests);
        Assert.Equal(1, proxy.Stat("http.ingress_http.fault.aborts_injected"));
        Assert.Equal(["503 FI"], await proxy.LogLines(1));
    }

    [Fact]
    public async Task Delay_at_100_percent_holds_the_request_then_forwards_it_with_DI()
    {
        await using var proxy = await FilterProxy.StartAsync(Fault("delay:\n  fixed_delay: 0.3s\n  percentage: { numerator: 100, denominator: HUNDRED }"));

        var watch = Stopwatch.StartNew();
        using var response = await proxy.Send("/x");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(280), $"answered after {watch.Elapsed}");
        Assert.Equal(1, proxy.Upstream.Requests);
        Assert.Equal(1, proxy.Stat("http.ingress_http.fault.delays_injected"));
        Assert.Equal(["200 DI"], await proxy.LogLines(1));
        Assert.Equal(0, proxy.Stat("http.ingress_http.fault.active_faults"));
    }

    [Fact]
    public async Task Delay_then_abort_sets_both_flags()
    {
        await using var proxy = await FilterProxy.StartAsync(Fault(
            "delay: { fixed_delay: 0.05s, percentage: { numerator: 100 } }\nabort: { http_status: 429, percentage: { numerator: 100 } }"));

        Assert.Equal(HttpStatusCode.TooManyRequests, await proxy.Status("/x"));
        Assert.Equal(0, proxy.Upstream.Requests);
        Assert.Equal(["429 DI,FI"], await proxy.LogLines(1));
    }

    [Fact]
    public async Task Abort_at_half_of_ten_thousand_hits_about_half_of_400_requests()
    {
        await using var proxy = await FilterProxy.StartAsync(Fault("abort:\n  http_status: 500\n  percentage: { numerator: 5000, denominator: TEN_THOUSAND }"));

        var aborted = 0;
        for (var i = 0; i < 400; i++)
        {
            if (await proxy.Status("/x") == HttpStatusCode.InternalServerError)
            {
                aborted++;
            }
        }

        // Binomial(400, 0.5): a standard deviation of 10, so ±50 is five of them.
        Assert.InRange(aborted, 150, 250);
        Assert.Equal(aborted, proxy.Stat("http.ingress_http.fault.aborts_injected"));
        Assert.Equal(400 - aborted, proxy.Upstream.Requests);
    }

    [Fact]
    public async Task Delay_at_a_fraction_delays_about_that_share()
    {
        await using var proxy = await FilterProxy.StartAsync(Fault("delay:\n  fixed_delay: 0.001s\n  percentage: { numerator: 250000, denominator: MILLION }"));

        for (var i = 0; i < 400; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await proxy.Status("/x"));
        }

        // Binomial(400, 0.25): a standard deviation of about 8.7.
        Assert.InRange(proxy.Stat("http.ingress_http.fault.delays_injected"), 55, 145);
        Assert.Equal(400, proxy.Upstream.Requests);
    }

    [Fact]
    public async Task Header_controlled_abort_and_delay_follow_the_request_headers()
    {
        await using var proxy = await FilterProxy.StartAsync(Fault(
            "abort: { header_abort: {}, percentage: { numerator: 100 } }\ndelay: { header_delay: {}, percentage: { numerator: 100 } }"));

        Assert.Equal(HttpStatusCode.OK, await proxy.Status("/plain"));
        Assert.Equal((HttpStatusCode)418, await proxy.Status("/abort", ("x-envoy-fault-abort-request", "418")));
        // The percentage header caps the share: 0 % never aborts.
        Assert.Equal(HttpStatusCode.OK, await proxy.Status("/abort", ("x-envoy-fault-abort-request", "418"), ("x-envoy-fault-abort-request-percentage", "0")));
        var watch = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.OK, await proxy.Status("/delay", ("x-envoy-fault-delay-request", "250")));
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(230), $"answered after {watch.Elapsed}");
        Assert.Equal(1, proxy.Stat("http.ingress_http.fault.delays_injected"));
        Assert.Equal(1, proxy.Stat("http.ingress_http.fault.aborts_injected"));
    }

    [Fact]
    public async Task Max_active_faults_lets_an_overflowing_request_through_unfaulted()
    {
        await using var proxy = await FilterProxy.StartAsync(Fault("max_active_faults: 1\ndelay: { fixed_delay: 1.5s, percentage: { numerator: 100 } }"));

        var delayed = proxy.Status("/first");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (proxy.Stat("http.ingress_http.fault.active_faults") == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        var watch = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.OK, await proxy.Status("/second"));
        var secondTook = watch.Elapsed;

        Assert.True(secondTook < TimeSpan.FromSeconds(1), $"the overflowing request took {secondTook}");
        Assert.Equal(1, proxy.Stat("http.ingress_http.fault.faults_overflow"));
        Assert.Equal(HttpStatusCode.OK, await delayed);
        Assert.Equal(1, proxy.Stat("http.ingress_http.fault.delays_injected"));
    }

    [Fact]
    public async Task A_routes_typed_per_filter_config_replaces_the_filters_fault()
    {
        var routes = "routes:\n"
            + "- match: { prefix: \"/calm\" }\n"
            + "  route: { cluster: backend }\n"
            + "  typed_per_filter_config:\n"
            + "    envoy.filters.http.fault:\n"
            + "      \"@type\": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault\n"
            + "      abort: { http_status: 502, percentage: { numerator: 0 } }\n"
            + "- match: { prefix: \"/\" }\n"
            + "  route: { cluster: backend }";
        await using var proxy = await FilterProxy.StartAsync(Fault("abort: { http_status: 503, percentage: { numerator: 100 } }"), routes);

        Assert.Equal(HttpStatusCode.OK, await proxy.Status("/calm"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await proxy.Status("/other"));
    }

    [Fact]
    public async Task Headers_and_upstream_cluster_narrow_which_requests_are_faulted()
    {
        await using var proxy = await FilterProxy.StartAsync(Fault(
            "upstream_cluster: backend\nheaders:\n- name: x-chaos\n  string_match: { exact: \"on\" }\nabort: { http_status: 503, percentage: { numerator: 100 } }"));

        Assert.Equal(HttpStatusCode.OK, await proxy.Status("/x"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await proxy.Status("/x", ("x-chaos", "on")));
    }

    [Fact]
    public async Task A_static_runtime_layer_overrides_the_abort_percentage()
    {
        var runtime = "layered_runtime:\n"
            + "  layers:\n"
            + "  - name: static\n"
            + "    static_layer:\n"
            + "      fault:\n"
            + "        http:\n"
            + "          abort: { abort_percent: 0 }\n";
        await using var proxy = await FilterProxy.StartAsync(Fault("abort: { http_status: 503, percentage: { numerator: 100 } }"), bootstrapExtra: runtime);

        Assert.Equal(HttpStatusCode.OK, await proxy.Status("/x"));
        Assert.Equal(0, proxy.Stat("http.ingress_http.fault.aborts_injected"));
    }

    [Fact]
    public async Task The_admin_runtime_switches_the_corpus_style_zero_percent_fault_on_and_off()
    {
        await using var proxy = await FilterProxy.StartAsync(Fault("abort: { http_status: 503, percentage: { numerator: 0 } }"));
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{proxy.Harness.AdminPort}") };

        Assert.Equal(HttpStatusCode.OK, await proxy.Status("/x"));
        (await admin.PostAsync("/runtime_modify?fault.http.abort.abort_percent=100", null)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await proxy.Status("/x"));
        (await admin.PostAsync("/runtime_modify?fault.http.abort.abort_percent=", null)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, await proxy.Status("/x"));
    }

    [Fact]
    public async Task A_delayed_request_keeps_its_body()
    {
        await using var proxy = await FilterProxy.StartAsync(Fault("delay: { fixed_delay: 0.2s, percentage: { numerator: 100 } }"));
        var body = new string('z', 100_000);

        using var response = await proxy.Send(HttpMethod.Post, "/upload", new StringContent(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, System.Text.Encoding.UTF8.GetString(Assert.Single(proxy.Received).Body));
        Assert.Equal(1, proxy.Stat("http.ingress_http.fault.delays_injected"));
    }

    [Fact]
    public async Task A_FilterConfig_wrapper_disables_the_filter_on_a_virtual_host_and_wraps_a_routes_config()
    {
        var routes = "typed_per_filter_config:\n"
            + "  envoy.filters.http.fault:\n"
            + "    \"@type\": type.googleapis.com/envoy.config.route.v3.FilterConfig\n"
            + "    disabled: true\n"
            + "routes:\n"
            + "- match: { prefix: \"/wrapped\" }\n"
            + "  route: { cluster: backend }\n"
            + "  typed_per_filter_config:\n"
            + "    envoy.filters.http.fault:\n"
            + "      \"@type\": type.googleapis.com/envoy.config.route.v3.FilterConfig\n"
            + "      config:\n"
            + "        \"@type\": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault\n"
            + "        abort: { http_status: 418, percentage: { numerator: 100 } }\n"
            + "- match: { prefix: \"/\" }\n"
            + "  route: { cluster: backend }";
        await using var proxy = await FilterProxy.StartAsync(Fault("abort: { http_status: 503, percentage: { numerator: 100 } }"), routes);

        Assert.Equal(HttpStatusCode.OK, await proxy.Status("/other"));
        Assert.Equal((HttpStatusCode)418, await proxy.Status("/wrapped"));
    }
}

using System.Net;
using System.Text.Json;
using Xunit;

namespace ActorMesh.Tests.Admin;

/// <summary>The admin's read endpoints over real HTTP, in Envoy's formats.</summary>
public sealed class AdminReadEndpointTests
{
    [Fact]
    public async Task Help_lists_every_endpoint_sorted_with_envoys_texts_and_an_unknown_path_is_404_with_it()
    {
        await using var f = await AdminFixture.StartAsync();
        var (status, help) = await f.Get("/help");
        Assert.Equal(HttpStatusCode.OK, status);
        var lines = help.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("admin commands are:", lines[0]);
        var prefixes = lines.Skip(1).Where(l => !l.StartsWith("      ", StringComparison.Ordinal)).Select(l => l.Trim().Split(':')[0].Split(' ')[0]).ToList();
        Assert.Equal(prefixes.Order(StringComparer.Ordinal), prefixes);
        Assert.Equal(
            ["/", "/clusters", "/config", "/config_dump", "/config_status", "/drain_listeners", "/healthcheck/fail", "/healthcheck/ok", "/help", "/hot_restart_version", "/listeners",
             "/logging", "/quitquitquit", "/ready", "/reset_counters", "/runtime", "/runtime_modify", "/server_info", "/stats", "/stats/prometheus"],
            prefixes);
        Assert.Contains("  /quitquitquit (POST): exit the server\n", help);
        Assert.Contains("  /ready: print server state, return 200 if LIVE, otherwise return 503\n", help);
        Assert.Contains("  /drain_listeners (POST): drain listeners\n      graceful: When draining listeners, enter a graceful drain period", help);
        Assert.Contains("  /listeners: print listener info\n      format: File format to use; One of (text, json)\n", help);
        Assert.Contains("      level: desired logging level, this will change all loggers's level; One of (, trace, debug, info, warning, error, critical, off)\n", help);

        var (notFound, body) = await f.Get("/no_such_thing");
        Assert.Equal(HttpStatusCode.NotFound, notFound);
        Assert.Equal("invalid path. " + help, body);
    }

    [Fact]
    public async Task Listeners_print_name_and_bound_address_as_text_and_json()
    {
        await using var f = await AdminFixture.StartAsync();
        var (status, text) = await f.Get("/listeners");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal($"main::127.0.0.1:{f.ProxyPort}\n", text);

        var json = await f.GetJson("/listeners?format=json");
        var listener = Assert.Single(json.GetProperty("listener_statuses").EnumerateArray());
        Assert.Equal("main", listener.GetProperty("name").GetString());
        var address = listener.GetProperty("local_address").GetProperty("socket_address");
        Assert.Equal("127.0.0.1", address.GetProperty("address").GetString());
        Assert.Equal(f.ProxyPort, address.GetProperty("port_value").GetInt32());
    }

    [Fact]
    public async Task Clusters_json_is_envoys_cluster_statuses_with_host_stats_and_health()
    {
        await using var f = await AdminFixture.StartAsync();
        await f.ThroughProxy();
        await f.ThroughProxy();

        var json = await f.GetJson("/clusters?format=json");
        var cluster = Assert.Single(json.GetProperty("cluster_statuses").EnumerateArray());
        Assert.Equal("backend", cluster.GetProperty("name").GetString());
        Assert.Equal("backend", cluster.GetProperty("observability_name").GetString());
        var host = Assert.Single(cluster.GetProperty("host_statuses").EnumerateArray());
        var address = host.GetProperty("address").GetProperty("socket_address");
        Assert.Equal("127.0.0.1", address.GetProperty("address").GetString());
        Assert.Equal(f.Upstream.Port, address.GetProperty("port_value").GetInt32());
        Assert.Equal("HEALTHY", host.GetProperty("health_status").GetProperty("eds_health_status").GetString());
        Assert.Equal(1, host.GetProperty("weight").GetInt32());
        var stats = host.GetProperty("stats").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);
        // Proto JSON: uint64 as a string, the default COUNTER type and zero values left out.
        Assert.Equal("2", stats["rq_total"].GetProperty("value").GetString());
        Assert.False(stats["rq_total"].TryGetProperty("type", out _));
        Assert.False(stats["cx_connect_fail"].TryGetProperty("value", out _));
        Assert.Equal("GAUGE", stats["cx_active"].GetProperty("type").GetString());
        Assert.Equal("1", stats["cx_active"].GetProperty("value").GetString());

        var (_, text) = await f.Get("/clusters");
        Assert.Contains("backend::added_via_api::false\n", text);
        Assert.Contains($"backend::127.0.0.1:{f.Upstream.Port}::rq_total::2\n", text);
        Assert.Contains($"backend::127.0.0.1:{f.Upstream.Port}::success_rate::-1\n", text);
    }

    [Fact]
    public async Task Server_info_reports_the_bootstrap_node()
    {
        await using var f = await AdminFixture.StartAsync("node:\n  id: edge-7\n  cluster: front-proxy\n");
        var node = (await f.GetJson("/server_info")).GetProperty("node");

        Assert.Equal("edge-7", node.GetProperty("id").GetString());
        Assert.Equal("front-proxy", node.GetProperty("cluster").GetString());
    }

    [Fact]
    public async Task Server_info_has_envoys_shape_and_ready_says_live()
    {
        await using var f = await AdminFixture.StartAsync();
        var info = await f.GetJson("/server_info");
        Assert.Equal("0.1.0", info.GetProperty("version").GetString());
        Assert.Equal("LIVE", info.GetProperty("state").GetString());
        Assert.Equal("disabled", info.GetProperty("hot_restart_version").GetString());
        Assert.Matches("^[0-9]+s$", info.GetProperty("uptime_current_epoch").GetString());
        Assert.Matches("^[0-9]+s$", info.GetProperty("uptime_all_epochs").GetString());
        var options = info.GetProperty("command_line_options");
        Assert.Equal("15s", options.GetProperty("drain_time").GetString());
        Assert.Equal("Serve", options.GetProperty("mode").GetString());
        Assert.Equal("info", options.GetProperty("log_level").GetString());
        Assert.Equal(0, options.GetProperty("restart_epoch").GetInt32());

        var (status, ready) = await f.Get("/ready");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("LIVE\n", ready);
        Assert.Equal((HttpStatusCode.OK, "disabled"), await f.Get("/hot_restart_version"));

        using var head = await f.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, f.Admin + "/ready"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(5, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Config_dump_is_envoys_config_dump_and_honours_resource_mask_and_name_regex()
    {
        await using var f = await AdminFixture.StartAsync();
        var dump = await f.GetJson("/config_dump");
        var configs = dump.GetProperty("configs").EnumerateArray().ToList();
        Assert.Equal(
            ["BootstrapConfigDump", "ClustersConfigDump", "ListenersConfigDump", "RoutesConfigDump", "SecretsConfigDump"],
            configs.Select(c => c.GetProperty("@type").GetString()!.Replace("type.googleapis.com/envoy.admin.v3.", "")));
        var staticCluster = configs[1].GetProperty("static_clusters")[0];
        Assert.Equal("type.googleapis.com/envoy.config.cluster.v3.Cluster", staticCluster.GetProperty("cluster").GetProperty("@type").GetString());
        Assert.Equal("backend", staticCluster.GetProperty("cluster").GetProperty("name").GetString());
        Assert.Equal("1s", staticCluster.GetProperty("cluster").GetProperty("connect_timeout").GetString());
        Assert.True(staticCluster.TryGetProperty("last_updated", out _));
        var listener = configs[2].GetProperty("static_listeners")[0].GetProperty("listener");
        Assert.Equal(0, listener.GetProperty("address").GetProperty("socket_address").GetProperty("port_value").GetInt32());
        Assert.Equal("local_route", configs[3].GetProperty("static_route_configs")[0].GetProperty("route_config").GetProperty("name").GetString());

        var clusters = await f.GetJson("/config_dump?resource=static_clusters&mask=cluster.name");
        var only = Assert.Single(clusters.GetProperty("configs").EnumerateArray());
        Assert.Equal("type.googleapis.com/envoy.admin.v3.ClustersConfigDump.StaticCluster", only.GetProperty("@type").GetString());
        Assert.Equal(["@type", "cluster"], only.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["@type", "name"], only.GetProperty("cluster").EnumerateObject().Select(p => p.Name));

        var matched = await f.GetJson("/config_dump?resource=static_listeners&name_regex=ma.*");
        Assert.Single(matched.GetProperty("configs").EnumerateArray());
        var unmatched = await f.GetJson("/config_dump?resource=static_listeners&name_regex=ain");
        Assert.Empty(unmatched.GetProperty("configs").EnumerateArray());
        var filtered = await f.GetJson("/config_dump?name_regex=nothing");
        Assert.False(filtered.GetProperty("configs")[1].TryGetProperty("static_clusters", out _));

        var masked = await f.GetJson("/config_dump?mask=static_clusters");
        var maskedConfigs = masked.GetProperty("configs").EnumerateArray().ToList();
        Assert.Equal(["@type", "static_clusters"], maskedConfigs[1].EnumerateObject().Select(p => p.Name));
        Assert.Equal(["@type"], maskedConfigs[0].EnumerateObject().Select(p => p.Name));

        Assert.Equal((HttpStatusCode.NotFound, "bogus not found in config dump"), await f.Get("/config_dump?resource=bogus"));
        Assert.Equal(HttpStatusCode.BadRequest, (await f.Get("/config_dump?name_regex=(")).Status);
    }

    [Fact]
    public async Task Runtime_starts_with_no_layers_in_envoys_shape()
    {
        await using var f = await AdminFixture.StartAsync();
        var runtime = await f.GetJson("/runtime");
        Assert.Equal(["entries", "layers"], runtime.EnumerateObject().Select(p => p.Name));
        Assert.Empty(runtime.GetProperty("entries").EnumerateObject());
        Assert.Empty(runtime.GetProperty("layers").EnumerateArray());
    }

    [Fact]
    public async Task Admin_has_its_own_http_admin_and_listener_admin_stats()
    {
        await using var f = await AdminFixture.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            await f.Get("/ready");
        }
        await f.Get("/nope");
        await f.Post("/ready");

        Assert.Equal(5, f.Proxy.Stat("http.admin.downstream_rq_total"));
        Assert.Equal(3, f.Proxy.Stat("http.admin.downstream_rq_2xx"));
        Assert.Equal(2, f.Proxy.Stat("http.admin.downstream_rq_4xx"));
        Assert.Equal(0, f.Proxy.Stat("http.admin.downstream_rq_active"));
        Assert.Equal(1, f.Proxy.Stat("http.admin.downstream_cx_total"));
        Assert.Equal(1, f.Proxy.Stat("http.admin.downstream_cx_active"));
        Assert.Equal(1, f.Proxy.Stat("listener.admin.downstream_cx_total"));
        Assert.Equal(0, f.Proxy.Stat("http.ingress_http.downstream_rq_total"));
    }
}

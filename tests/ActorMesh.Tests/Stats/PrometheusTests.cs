using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ActorMesh.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace ActorMesh.Tests.Stats;

/// <summary><c>/stats/prometheus</c> checked by the reference tools: <c>promtool check metrics</c> and a real Prometheus scraping it.</summary>
public sealed class PrometheusTests(ITestOutputHelper output)
{
    // promtool's lint findings (not parse errors) that Envoy's own output has too: Envoy's names carry no HELP, its
    // counters no _total suffix, some gauges (membership_total) have one, and its histograms are in milliseconds.
    private static readonly string[] AcceptedLint =
        ["no help text", "counter metrics should have \"_total\" suffix", "metric names should not contain abbreviated units",
         "non-counter metrics should not have \"_total\" suffix", "use base unit"];

    [Fact]
    public async Task Output_has_envoys_names_labels_and_types()
    {
        var (upstream, proxy, admin) = await StatsAdminTests.StartWithTraffic();
        await using var _ = upstream;
        await using var __ = proxy;
        using var ___ = admin;

        var response = await admin.GetAsync("/stats/prometheus");
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("# TYPE envoy_cluster_upstream_rq counter", lines);
        Assert.Contains("envoy_cluster_upstream_rq{envoy_response_code=\"200\",envoy_cluster_name=\"backend\"} 2", lines);
        Assert.Contains("envoy_cluster_upstream_rq{envoy_response_code=\"404\",envoy_cluster_name=\"backend\"} 1", lines);
        Assert.Contains("envoy_http_downstream_rq_xx{envoy_response_code_class=\"2\",envoy_http_conn_manager_prefix=\"ingress_http\"} 2", lines);
        Assert.Contains("envoy_http_downstream_rq_total{envoy_http_conn_manager_prefix=\"ingress_http\"} 3", lines);
        Assert.Contains("envoy_listener_downstream_cx_total{envoy_listener_address=\"127.0.0.1_0\"} 1", lines);
        Assert.Contains("# TYPE envoy_cluster_upstream_rq_active gauge", lines);
        Assert.Contains("envoy_server_live{} 1", lines);
        Assert.Contains("# TYPE envoy_http_downstream_rq_time histogram", lines);
        Assert.Contains("envoy_http_downstream_rq_time_bucket{envoy_http_conn_manager_prefix=\"ingress_http\",le=\"3600000\"} 3", lines);
        Assert.Contains("envoy_http_downstream_rq_time_bucket{envoy_http_conn_manager_prefix=\"ingress_http\",le=\"+Inf\"} 3", lines);
        Assert.Contains("envoy_http_downstream_rq_time_count{envoy_http_conn_manager_prefix=\"ingress_http\"} 3", lines);
        Assert.Contains(lines, l => l.StartsWith("envoy_http_downstream_rq_time_sum{envoy_http_conn_manager_prefix=\"ingress_http\"} ", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("# TYPE envoy_http_downstream_rq_total ", StringComparison.Ordinal));

        var viaStats = await admin.GetStringAsync("/stats?format=prometheus&filter=" + Uri.EscapeDataString("^cluster\\."));
        Assert.Contains("envoy_cluster_upstream_rq{envoy_response_code=\"200\",envoy_cluster_name=\"backend\"} 2\n", viaStats);
        Assert.DoesNotContain("envoy_http_", viaStats);
    }

    [Fact]
    public async Task Promtool_accepts_the_output()
    {
        if (ExternalTool.Find("promtool", output) is not { } promtool)
        {
            return;
        }
        var (upstream, proxy, admin) = await StatsAdminTests.StartWithTraffic();
        await using var _ = upstream;
        await using var __ = proxy;
        using var ___ = admin;
        var text = await admin.GetStringAsync("/stats/prometheus");

        var (exitCode, findings) = await CheckMetrics(promtool, text);
        output.WriteLine(string.Join('\n', findings.Take(20)));

        // Exit 1 is a parse error; 3 means lint findings only.
        Assert.Contains(exitCode, new[] { 0, 3 });
        Assert.DoesNotContain(findings, f => f.Contains("error while linting", StringComparison.Ordinal));
        Assert.All(findings, f => Assert.Contains(AcceptedLint, lint => f.Contains(lint, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_real_prometheus_scrapes_the_node()
    {
        if (ExternalTool.Find("prometheus", output) is not { } prometheus)
        {
            return;
        }
        var (upstream, proxy, admin) = await StatsAdminTests.StartWithTraffic();
        await using var _ = upstream;
        await using var __ = proxy;
        using var ___ = admin;

        var dir = Directory.CreateTempSubdirectory("actormesh-prometheus-").FullName;
        var port = FreePort();
        var config = Path.Combine(dir, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
            scrape_configs:
            - job_name: actormesh
              metrics_path: /stats/prometheus
              static_configs:
              - targets: ['127.0.0.1:{proxy.AdminPort}']

            """);
        var info = new ProcessStartInfo(prometheus)
        {
            ArgumentList =
            {
                "--config.file=" + config, "--storage.tsdb.path=" + Path.Combine(dir, "data"),
                $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { };
        process.ErrorDataReceived += (_, e) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            string? value = null;
            await StatsAdminTests.Eventually(async () =>
            {
                Assert.False(process.HasExited, "prometheus exited with " + (process.HasExited ? process.ExitCode : 0));
                value = await QueryValue(client, port, "envoy_http_downstream_rq_total{envoy_http_conn_manager_prefix=\"ingress_http\"}");
                return value is not null;
            }, timeoutSeconds: 60);
            Assert.Equal("3", value);
            Assert.Equal("2", await QueryValue(client, port, "envoy_cluster_upstream_rq{envoy_response_code=\"200\",envoy_cluster_name=\"backend\"}"));
            Assert.Equal("3", await QueryValue(client, port, "envoy_http_downstream_rq_time_count{envoy_http_conn_manager_prefix=\"ingress_http\"}"));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Promtool_rejects_malformed_exposition()
    {
        if (ExternalTool.Find("promtool", output) is not { } promtool)
        {
            return;
        }
        // The control for the test above: promtool does fail a line that is not the exposition format.
        var (exitCode, findings) = await CheckMetrics(promtool, "# TYPE envoy_x counter\nenvoy_x{a=\"1\"} one\n");
        Assert.Equal(1, exitCode);
        Assert.Contains(findings, f => f.Contains("error while linting", StringComparison.Ordinal));
    }

    private static async Task<(int ExitCode, string[] Findings)> CheckMetrics(string promtool, string text)
    {
        var info = new ProcessStartInfo(promtool, "check metrics") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(text);
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }
        return (process.ExitCode, (await stdout + await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>The value of the query's single sample, or null while Prometheus has none (or is still starting).</summary>
    private static async Task<string?> QueryValue(HttpClient client, int port, string query)
    {
        try
        {
            var body = await client.GetStringAsync($"http://127.0.0.1:{port}/api/v1/query?query={Uri.EscapeDataString(query)}");
            using var json = JsonDocument.Parse(body);
            var result = json.RootElement.GetProperty("data").GetProperty("result");
            return result.GetArrayLength() == 1 ? result[0].GetProperty("value")[1].GetString() : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

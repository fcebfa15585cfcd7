using System.Diagnostics;
using System.Net.Http;
using System.Text.RegularExpressions;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Admin;

/// <summary>The admin dashboard in a real headless Chromium: it renders, and its numbers are the node's numbers.</summary>
public sealed class DashboardTests : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly string _dir = Directory.CreateTempSubdirectory("actormesh-dashboard-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Dashboard_is_self_contained_html()
    {
        await using var upstream = TestUpstream.Answering("ok");
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port));
        using var http = new HttpClient();

        var response = await http.GetAsync($"http://127.0.0.1:{proxy.AdminPort}/");
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<canvas id=\"chart-latency\"", page);
        // Nothing from elsewhere: no external scripts, styles or fonts.
        Assert.DoesNotMatch(new Regex("(src|href)=\"(https?:)?//", RegexOptions.IgnoreCase), page);
    }

    [Fact]
    public async Task Headless_chromium_renders_the_dashboard_with_the_nodes_numbers()
    {
        if (!File.Exists(Chromium))
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", "CI installs chromium (.ci/run); it is missing");
            return;
        }
        await using var upstream = TestUpstream.Answering("ok");
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port));
        for (var i = 0; i < 7; i++)
        {
            Assert.StartsWith("HTTP/1.1 200", await RawHttp.Exchange(proxy.Port("main"), "GET / HTTP/1.1\r\nHost: a\r\nconnection: close\r\n\r\n"));
        }
        var url = $"http://127.0.0.1:{proxy.AdminPort}/?refresh=500";

        var dom = await RunChromium("--dump-dom", url);
        var screenshot = Path.Combine(_dir, "dashboard.png");
        await RunChromium($"--screenshot={screenshot}", "--window-size=1280,900", url);

        Assert.Contains("data-ready=\"true\"", dom);
        Assert.Equal(proxy.Stat("http.ingress_http.downstream_rq_total"), Shown(dom, "http.ingress_http.downstream_rq_total"));
        Assert.Equal(7, Shown(dom, "http.ingress_http.downstream_rq_total"));
        Assert.Equal(proxy.Stat("cluster.backend.upstream_rq_total"), Shown(dom, "cluster.backend.upstream_rq_total"));
        Assert.Contains("1/1 healthy", dom);
        var png = await File.ReadAllBytesAsync(screenshot);
        Assert.True(png.Length > 10_000, $"screenshot is only {png.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
    }

    private static long Shown(string dom, string stat)
    {
        var match = Regex.Match(dom, $"data-stat=\"{Regex.Escape(stat)}\">(\\d+)<");
        Assert.True(match.Success, $"the page shows no {stat}");
        return long.Parse(match.Groups[1].Value);
    }

    private async Task<string> RunChromium(params string[] args)
    {
        var start = new ProcessStartInfo(Chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", $"--user-data-dir={Path.Combine(_dir, "profile")}", "--virtual-time-budget=4000" }.Concat(args))
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("chromium did not finish in 60 s: " + await stderr);
        }
        Assert.True(process.ExitCode == 0, $"chromium exited {process.ExitCode}: {await stderr}");
        return await stdout;
    }
}

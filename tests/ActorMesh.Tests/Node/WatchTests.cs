using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using ActorMesh.Tests.Hosting;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Node;

/// <summary><c>actormesh -c FILE --watch</c> as a real process: file edits and SIGHUP become config versions.</summary>
public sealed partial class WatchTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Watch_applies_a_file_edit_ignores_a_broken_one_and_sighup_retries_a_nacked_file()
    {
        await using var a = TestUpstream.Answering("from a");
        await using var b = TestUpstream.Answering("from b");
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var dir = Directory.CreateTempSubdirectory("actormesh-watch-");
        var file = Path.Combine(dir.FullName, "envoy.yaml");
        await File.WriteAllTextAsync(file, VersionConfigs.Routing("a", ("a", a.Port), ("b", b.Port)));
        try
        {
            using var node = NodeProcess.Start("-c", file, "--watch");
            await node.WaitForOutput("watching", TimeSpan.FromSeconds(60));
            var port = int.Parse(ListenerPort().Match(node.Stdout).Groups[1].Value);
            var adminPort = int.Parse(AdminPort().Match(node.Stdout).Groups[1].Value);
            var url = $"http://127.0.0.1:{port}/";
            Assert.Equal("from a", await Fresh(url));

            // An edit on disk: version 2.
            await File.WriteAllTextAsync(file, VersionConfigs.Routing("b", ("a", a.Port), ("b", b.Port)));
            await node.WaitForOutput("file change: config version 2 applied", Bound);
            Assert.Equal("from b", await Fresh(url));

            // A broken edit is reported and changes nothing.
            await File.WriteAllTextAsync(file, VersionConfigs.Routing("a", ("a", a.Port), ("b", b.Port)).Replace("type: STATIC", "type: STATIK"));
            await AwaitStderr(node, "is invalid, ignored; still serving version 2");
            Assert.Contains("static_resources.clusters[0].type (line ", node.Stderr);
            Assert.Equal("from b", await Fresh(url));

            // A valid edit this host cannot serve (its port is taken) is NACKed: still version 2.
            var blocked = VersionConfigs.Yaml(
                [new TestListener("main", 0, "a"), new TestListener("blocked", taken, "a", "blocked_http")], [("a", a.Port), ("b", b.Port)]);
            await File.WriteAllTextAsync(file, blocked);
            await AwaitStderr(node, "config version 3 rejected, still serving version 2");
            Assert.Equal("from b", await Fresh(url));
            using var admin = new AdminClient(adminPort);
            Assert.Contains("cannot bind 127.0.0.1:" + taken, await admin.Get("/config_status"));

            // The file is unchanged, so only SIGHUP can make the node read it again, now that the port is free.
            squatter.Stop();
            node.SendSighup();
            await node.WaitForOutput("SIGHUP: config version 3 applied", Bound);
            Assert.Equal("from a", await Fresh(url));
            Assert.Equal("from a", await Fresh($"http://127.0.0.1:{taken}/"));
            Assert.Contains("\"config_version\": \"3\"", await admin.Get("/server_info"));

            node.SendSigterm();
            Assert.Equal(0, await node.WaitForExit(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Watch_without_a_config_file_is_a_usage_error()
    {
        using var node = NodeProcess.Start("--watch");
        Assert.Equal(1, await node.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.Contains("--watch needs -c FILE", node.Stderr);
    }

    /// <summary>A request on a new connection, which always runs the version served when it was accepted.</summary>
    private static async Task<string> Fresh(string url)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return await client.GetStringAsync(url);
    }

    private static async Task AwaitStderr(NodeProcess node, string text)
    {
        if (!await VersionConfigs.Eventually(() => Task.FromResult(node.Stderr.Contains(text, StringComparison.Ordinal)), Bound))
        {
            throw new TimeoutException($"node did not print '{text}' on stderr:\n{node.Stderr}\nstdout:\n{node.Stdout}");
        }
    }

    [GeneratedRegex(@"listener main on 127\.0\.0\.1:(\d+)")]
    private static partial Regex ListenerPort();

    [GeneratedRegex(@"admin on 127\.0\.0\.1:(\d+)")]
    private static partial Regex AdminPort();
}

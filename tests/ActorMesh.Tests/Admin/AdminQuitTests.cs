using System.Text.RegularExpressions;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Admin;

/// <summary><c>POST /quitquitquit</c> on the real <c>actormesh</c> process.</summary>
public sealed class AdminQuitTests
{
    [Fact]
    public async Task Quitquitquit_answers_ok_then_the_node_shuts_down_and_exits_zero()
    {
        await using var upstream = TestUpstream.Answering("x");
        var config = Path.Combine(Path.GetTempPath(), $"actormesh-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(config, ProxyHarness.SimpleConfig(upstream.Port));
        try
        {
            using var node = NodeProcess.Start("-c", config);
            await node.WaitForOutput("actormesh: admin on ", TimeSpan.FromSeconds(60));
            var adminPort = int.Parse(Regex.Match(node.Stdout, @"admin on 127\.0\.0\.1:(\d+)").Groups[1].Value);
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var admin = $"http://127.0.0.1:{adminPort}";

            var info = await client.GetStringAsync($"{admin}/server_info");
            Assert.Contains($"\"config_path\": \"{config}\"", info);

            var get = await client.GetAsync($"{admin}/quitquitquit");
            Assert.Equal(405, (int)get.StatusCode);
            Assert.Equal("LIVE\n", await client.GetStringAsync($"{admin}/ready"));

            using var response = await client.PostAsync($"{admin}/quitquitquit", null);
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal("OK\n", await response.Content.ReadAsStringAsync());
            Assert.Equal(0, await node.WaitForExit(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            File.Delete(config);
        }
    }
}

using System.Net;
using System.Net.Sockets;
using ActorMesh.Hosting;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Hosting;

public sealed class ActorMeshServerTests
{
    [Fact]
    public async Task A_listener_port_already_taken_fails_the_start_and_names_the_listener()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var yaml = ProxyHarness.SimpleConfig(1);
        var at = yaml.IndexOf("port_value: 0 }", StringComparison.Ordinal);
        yaml = yaml[..at] + $"port_value: {port} }}" + yaml[(at + "port_value: 0 }".Length)..];

        var error = await Assert.ThrowsAsync<ListenerBindException>(() => ProxyHarness.StartAsync(yaml));

        Assert.Contains("listener main", error.Message);
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
    }
}

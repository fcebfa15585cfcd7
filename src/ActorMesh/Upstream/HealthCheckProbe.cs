using System.Net;
using System.Net.Sockets;
using System.Text;
using ActorMesh.Config;

namespace ActorMesh.Upstream;

public enum HealthCheckOutcome
{
    Success,

    /// <summary>The host answered, but not as expected (an HTTP status outside <c>expected_statuses</c>).</summary>
    Failure,

    /// <summary>Connect failure, reset, timeout or a malformed answer.</summary>
    NetworkFailure,
}

/// <summary>One active health check over a real socket: a TCP connect, or an HTTP/1.1 GET of the health path.</summary>
internal static class HealthCheckProbe
{
    private const int MaxStatusLine = 4096;

    public static async Task<HealthCheckOutcome> RunAsync(HealthCheckConfig config, IPEndPoint endpoint, string clusterName)
    {
        using var timeout = new CancellationTokenSource(config.Timeout);
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, timeout.Token);
            if (config.Kind == HealthCheckKind.Tcp)
            {
                return HealthCheckOutcome.Success;
            }
            // Envoy sends the cluster name as Host unless http_health_check.host says otherwise.
            var request = $"GET {config.Path} HTTP/1.1\r\nhost: {config.Host ?? clusterName}\r\nuser-agent: Envoy/HC\r\nconnection: close\r\n\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, timeout.Token);
            var status = await ReadStatusAsync(socket, timeout.Token);
            return status is null ? HealthCheckOutcome.NetworkFailure
                : config.IsExpected(status.Value) ? HealthCheckOutcome.Success
                : HealthCheckOutcome.Failure;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            return HealthCheckOutcome.NetworkFailure;
        }
    }

    /// <summary>The status code of the response's status line, or null when none arrived.</summary>
    private static async Task<int?> ReadStatusAsync(Socket socket, CancellationToken cancel)
    {
        var buffer = new byte[MaxStatusLine];
        var length = 0;
        while (length < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancel);
            if (n == 0)
            {
                break;
            }
            length += n;
            var end = Array.IndexOf(buffer, (byte)'\n', 0, length);
            if (end >= 0)
            {
                var line = Encoding.ASCII.GetString(buffer, 0, end).Split(' ');
                return line.Length >= 2 && line[0].StartsWith("HTTP/1.", StringComparison.Ordinal) && int.TryParse(line[1], out var status)
                    ? status
                    : null;
            }
        }
        return null;
    }
}

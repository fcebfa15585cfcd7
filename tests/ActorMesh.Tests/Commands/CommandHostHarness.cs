using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using ActorMesh.Commands;
using ActorMesh.Tests.Support;

namespace ActorMesh.Tests.Commands;

/// <summary>
/// An in-process node (<see cref="ProxyHarness"/>: listener "main" → cluster "backend" → a <see cref="TestUpstream"/>)
/// with its command host on 127.0.0.1 and an ephemeral port.
/// </summary>
internal sealed class CommandHostHarness : IAsyncDisposable
{
    private CommandHostHarness(TestUpstream upstream, ProxyHarness proxy, CommandHost host)
    {
        Upstream = upstream;
        Proxy = proxy;
        Host = host;
    }

    public TestUpstream Upstream { get; }

    public ProxyHarness Proxy { get; }

    public CommandHost Host { get; }

    public int Port => ((IPEndPoint)Host.Address!).Port;

    public static async Task<CommandHostHarness> StartAsync(string? token = null, int maxCommands = 4)
    {
        var upstream = TestUpstream.Answering("ok");
        var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port));
        var settings = CommandHostSettings.Default with { Port = 0, Token = token, MaxCommandsPerConnection = maxCommands };
        var host = await CommandHost.StartAsync(new CommandNode(proxy.System, proxy.Server), settings);
        return new CommandHostHarness(upstream, proxy, host);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        await Proxy.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}

/// <summary>The command protocol spoken by hand over a raw socket: 4-byte big-endian length, then JSON.</summary>
internal sealed class RawCommandConnection : IDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(20);

    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private RawCommandConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<RawCommandConnection> OpenAsync(int port)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, port);
        return new RawCommandConnection(client);
    }

    /// <summary>Hello (version 1) and its welcome.</summary>
    public static async Task<(RawCommandConnection Connection, JsonObject Welcome)> OpenWelcomedAsync(int port, string? token = null)
    {
        var connection = await OpenAsync(port);
        var hello = new JsonObject { ["type"] = "hello", ["version"] = 1 };
        if (token is not null)
        {
            hello["token"] = token;
        }
        await connection.SendAsync(hello);
        var welcome = await connection.ReadAsync();
        return (connection, welcome ?? throw new IOException("no welcome"));
    }

    public Task SendAsync(JsonObject message) => SendRawAsync(Encoding.UTF8.GetBytes(message.ToJsonString()));

    public async Task SendRawAsync(byte[] json)
    {
        var header = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)json.Length);
        await SendBytesAsync([.. header, .. json]);
    }

    public Task SendBytesAsync(byte[] bytes) => _stream.WriteAsync(bytes).AsTask();

    /// <summary>The next frame's JSON; null when the host closed the connection.</summary>
    public async Task<JsonObject?> ReadAsync()
    {
        using var cts = new CancellationTokenSource(ReadTimeout);
        var header = new byte[4];
        if (!await FillAsync(header, cts.Token))
        {
            return null;
        }
        var payload = new byte[BinaryPrimitives.ReadUInt32BigEndian(header)];
        if (!await FillAsync(payload, cts.Token))
        {
            throw new IOException("closed inside a frame");
        }
        return JsonNode.Parse(payload)!.AsObject();
    }

    /// <summary>Frames until command <paramref name="id"/>'s end (included).</summary>
    public async Task<List<JsonObject>> ReadUntilEndAsync(long id)
    {
        var frames = new List<JsonObject>();
        for (var i = 0; i < 10_000; i++)
        {
            var frame = await ReadAsync() ?? throw new IOException("closed before the end of command " + id + ": " + string.Join(", ", frames));
            frames.Add(frame);
            if ((string?)frame["type"] == "end" && (long?)frame["id"] == id)
            {
                return frames;
            }
        }
        throw new IOException("no end");
    }

    private async Task<bool> FillAsync(byte[] buffer, CancellationToken ct)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            int n;
            try
            {
                n = await _stream.ReadAsync(buffer.AsMemory(read), ct);
            }
            catch (IOException)
            {
                n = 0;
            }
            if (n == 0)
            {
                return read == 0 && buffer.Length > 0 ? false : throw new IOException("closed inside a frame");
            }
            read += n;
        }
        return true;
    }

    public void Dispose() => _client.Dispose();
}

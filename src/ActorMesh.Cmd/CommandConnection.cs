using System.Net.Sockets;
using ActorMesh.Commands.Protocol;
using static ActorMesh.Commands.Protocol.CommandMessages;

namespace ActorMesh.Cmd;

/// <summary>The host refused the connection (an error frame), or spoke something other than the protocol.</summary>
internal sealed class CommandConnectionException(string message) : Exception(message);

/// <summary>
/// One connection to a node's command host: hello with the token, the welcome with the node's palettes, then frames
/// both ways. It knows nothing of rendering, so the one-shot mode and an interactive prompt can share it.
/// </summary>
internal sealed class CommandConnection : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _sending = new(1, 1);

    private CommandConnection(TcpClient client, Welcome welcome)
    {
        _client = client;
        _stream = client.GetStream();
        Welcome = welcome;
    }

    public Welcome Welcome { get; }

    public static async Task<CommandConnection> ConnectAsync(string host, int port, string? token, TimeSpan timeout)
    {
        var client = new TcpClient { NoDelay = true };
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            await client.ConnectAsync(host, port, cts.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(CommandFrames.Encode(new Hello(ProtocolVersion, token)), cts.Token);
            var first = await CommandFrames.ReadAsync(stream, cts.Token) ?? throw new CommandConnectionException("the host closed the connection before its welcome");
            return CommandFrames.Decode(first, out var error) switch
            {
                Welcome welcome => new CommandConnection(client, welcome),
                CommandMessages.Error refused => throw new CommandConnectionException(refused.Message),
                _ => throw new CommandConnectionException(error ?? "the host did not answer with a welcome"),
            };
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public async Task SendAsync(object message, CancellationToken cancellationToken = default)
    {
        var frame = CommandFrames.TryEncode(message) ?? throw new CommandConnectionException($"the command is larger than one frame ({CommandFrames.MaxFrameLength} bytes)");
        await _sending.WaitAsync(cancellationToken);
        try
        {
            await _stream.WriteAsync(frame, cancellationToken);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>The next frame from the host; null when it closed the connection.</summary>
    public async Task<object?> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        if (await CommandFrames.ReadAsync(_stream, cancellationToken) is not { } json)
        {
            return null;
        }
        var message = CommandFrames.Decode(json, out var error);
        return error is null ? message : throw new CommandConnectionException(error);
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        _sending.Dispose();
        return ValueTask.CompletedTask;
    }
}

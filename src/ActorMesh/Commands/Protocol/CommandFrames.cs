using System.Buffers.Binary;
using System.Text.Json;
using static ActorMesh.Commands.Protocol.CommandMessages;

namespace ActorMesh.Commands.Protocol;

/// <summary>
/// The wire format: a 4-byte big-endian length N (1 ≤ N ≤ <see cref="MaxFrameLength"/>), then N bytes of UTF-8 JSON,
/// one object whose <c>type</c> names one of <see cref="CommandMessages"/>. Both the host and the client use this.
/// </summary>
public static class CommandFrames
{
    public const int HeaderLength = 4;

    /// <summary>1 MiB: a config file, sent as content, must fit in one <c>run</c> frame.</summary>
    public const int MaxFrameLength = 1024 * 1024;

    private static CommandJsonContext Json => CommandJsonContext.Default;

    /// <summary>The frame (header and JSON) of one message; null when its JSON would exceed <see cref="MaxFrameLength"/>.</summary>
    public static byte[]? TryEncode(object message)
    {
        var json = message switch
        {
            Hello m => JsonSerializer.SerializeToUtf8Bytes(m, Json.Hello),
            Run m => JsonSerializer.SerializeToUtf8Bytes(m, Json.Run),
            Cancel m => JsonSerializer.SerializeToUtf8Bytes(m, Json.Cancel),
            Welcome m => JsonSerializer.SerializeToUtf8Bytes(m, Json.Welcome),
            Table m => JsonSerializer.SerializeToUtf8Bytes(m, Json.Table),
            Row m => JsonSerializer.SerializeToUtf8Bytes(m, Json.Row),
            Line m => JsonSerializer.SerializeToUtf8Bytes(m, Json.Line),
            Error m => JsonSerializer.SerializeToUtf8Bytes(m, Json.Error),
            End m => JsonSerializer.SerializeToUtf8Bytes(m, Json.End),
            _ => throw new ArgumentException($"not a command protocol message: {message.GetType().Name}", nameof(message)),
        };
        if (json.Length > MaxFrameLength)
        {
            return null;
        }
        var frame = new byte[HeaderLength + json.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)json.Length);
        json.CopyTo(frame.AsSpan(HeaderLength));
        return frame;
    }

    public static byte[] Encode(object message) =>
        TryEncode(message) ?? throw new InvalidOperationException($"a {message.GetType().Name} frame exceeds {MaxFrameLength} bytes");

    /// <summary>The length a frame header announces, or an error when it is outside 1..<see cref="MaxFrameLength"/>.</summary>
    public static string? CheckLength(uint length) =>
        length is 0 or > MaxFrameLength ? $"bad frame length {length}: a frame is 1 to {MaxFrameLength} bytes" : null;

    /// <summary>One frame's JSON as its message record, or why it is not one.</summary>
    public static object Decode(ReadOnlySpan<byte> json, out string? error)
    {
        error = null;
        try
        {
            var type = ReadType(json);
            object? message = type switch
            {
                "hello" => JsonSerializer.Deserialize(json, Json.Hello),
                "run" => JsonSerializer.Deserialize(json, Json.Run),
                "cancel" => JsonSerializer.Deserialize(json, Json.Cancel),
                "welcome" => JsonSerializer.Deserialize(json, Json.Welcome),
                "table" => JsonSerializer.Deserialize(json, Json.Table),
                "row" => JsonSerializer.Deserialize(json, Json.Row),
                "line" => JsonSerializer.Deserialize(json, Json.Line),
                "error" => JsonSerializer.Deserialize(json, Json.Error),
                "end" => JsonSerializer.Deserialize(json, Json.End),
                _ => null,
            };
            if (message is null)
            {
                error = type is null ? "a frame needs a \"type\"" : $"unknown frame type \"{type}\"";
                return string.Empty;
            }
            return message;
        }
        catch (JsonException e)
        {
            error = "bad JSON: " + e.Message;
            return string.Empty;
        }
    }

    /// <summary>Reads one frame's JSON from <paramref name="stream"/>; null at a clean end of stream before a header.</summary>
    /// <exception cref="InvalidDataException">A bad length, or the stream ended inside a frame.</exception>
    public static async Task<byte[]?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderLength];
        if (!await FillAsync(stream, header, cancellationToken))
        {
            return null;
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (CheckLength(length) is { } error)
        {
            throw new InvalidDataException(error);
        }
        var payload = new byte[length];
        if (!await FillAsync(stream, payload, cancellationToken))
        {
            throw new InvalidDataException("the connection closed inside a frame");
        }
        return payload;
    }

    private static async Task<bool> FillAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                if (read == 0)
                {
                    return false;
                }
                throw new InvalidDataException("the connection closed inside a frame");
            }
            read += n;
        }
        return true;
    }

    /// <summary>The top-level <c>type</c> string, without building a document.</summary>
    private static string? ReadType(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("a frame is one JSON object");
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isType = reader.ValueTextEquals("type"u8);
            reader.Read();
            if (isType)
            {
                return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            reader.Skip();
        }
        return null;
    }
}

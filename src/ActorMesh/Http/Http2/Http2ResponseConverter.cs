using System.Globalization;
using Akka.IO;

namespace ActorMesh.Http.Http2;

/// <summary>
/// One HTTP/2 response as the HTTP/1.1 message the proxy's lessees read: the status line and fields, then the body
/// framed by the upstream's content-length or, without one, chunked. Checks the messaging rules of RFC 9113 §8 on
/// the way; a violation (Envoy's <c>rx_messaging_error</c>) ends the stream. The message's last octet is released
/// only with END_STREAM, so a reader that has the whole HTTP/1.1 message knows the HTTP/2 stream is closed too.
/// Trailers are checked and dropped, as Envoy does for HTTP/1.1 clients by default.
/// </summary>
internal sealed class Http2ResponseConverter(bool requestWasHead)
{
    private enum Framing
    {
        None,
        ContentLength,
        Chunked,
    }

    private bool _finalHeadersSeen;
    private Framing _framing;
    private long _remaining;
    private ByteString _held = ByteString.Empty;

    /// <summary>The HTTP/1.1 message is complete: END_STREAM arrived and everything was released.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>A header block; the HTTP/1.1 octets it releases, or null with <paramref name="error"/> set.</summary>
    public ByteString? OnHeaders(List<HttpHeader> fields, bool endStream, out string? error)
    {
        if (_finalHeadersSeen)
        {
            return OnTrailers(fields, endStream, out error);
        }
        if (!TryStatus(fields, out var status, out error) || !TryRegularFields(fields, out var headers, out var contentLength, out error))
        {
            return null;
        }
        if (status < 200)
        {
            // RFC 9113 §8.6: 101 is not used in HTTP/2; other 1xx are interim and never end the stream.
            if (status == 101 || endStream)
            {
                error = "invalid interim response";
                return null;
            }
            return Http1Writer.ResponseHead(HttpVersion.Http11, status, Http1Writer.ReasonPhrase(status), headers);
        }
        _finalHeadersSeen = true;
        if (requestWasHead || status is 204 or 304)
        {
            _framing = Framing.None;
        }
        else if (contentLength >= 0)
        {
            _framing = Framing.ContentLength;
            _remaining = contentLength;
        }
        else
        {
            _framing = Framing.Chunked;
            headers.Add("transfer-encoding", "chunked");
        }
        var head = Http1Writer.ResponseHead(HttpVersion.Http11, status, Http1Writer.ReasonPhrase(status), headers);
        if (_framing != Framing.Chunked && _remaining == 0)
        {
            // Nothing follows the head in HTTP/1.1, so the head itself waits for END_STREAM.
            _held = head;
            head = ByteString.Empty;
        }
        return endStream ? End(head, out error) : head;
    }

    /// <summary>DATA; the HTTP/1.1 octets it releases, or null with <paramref name="error"/> set.</summary>
    public ByteString? OnData(ReadOnlySpan<byte> data, bool endStream, out string? error)
    {
        error = null;
        if (!_finalHeadersSeen)
        {
            error = "DATA before the response headers";
            return null;
        }
        var output = ByteString.Empty;
        if (!data.IsEmpty)
        {
            switch (_framing)
            {
                case Framing.None:
                    error = "a response without a body carried DATA";
                    return null;
                case Framing.ContentLength when data.Length > _remaining:
                    error = "DATA beyond content-length";
                    return null;
                case Framing.ContentLength:
                    _remaining -= data.Length;
                    output = ByteString.FromBytes(data.ToArray());
                    if (_remaining == 0)
                    {
                        _held = output;
                        output = ByteString.Empty;
                    }
                    break;
                default:
                    output = Chunk(data);
                    break;
            }
        }
        return endStream ? End(output, out error) : output;
    }

    private ByteString? OnTrailers(List<HttpHeader> fields, bool endStream, out string? error)
    {
        error = null;
        if (!endStream)
        {
            error = "trailers without END_STREAM";
            return null;
        }
        foreach (var field in fields)
        {
            if (field.Name.StartsWith(':') || !ValidField(field))
            {
                error = "invalid trailer field";
                return null;
            }
        }
        return End(ByteString.Empty, out error);
    }

    private ByteString? End(ByteString output, out string? error)
    {
        error = null;
        if (_framing == Framing.ContentLength && _remaining != 0)
        {
            error = "END_STREAM before content-length was reached";
            return null;
        }
        output = _held.IsEmpty ? output : _held.Concat(output);
        _held = ByteString.Empty;
        IsComplete = true;
        return _framing == Framing.Chunked ? output.Concat(Http1Writer.LastChunk) : output;
    }

    private static ByteString Chunk(ReadOnlySpan<byte> data)
    {
        var size = data.Length.ToString("x", CultureInfo.InvariantCulture);
        var bytes = new byte[size.Length + 2 + data.Length + 2];
        for (var i = 0; i < size.Length; i++)
        {
            bytes[i] = (byte)size[i];
        }
        bytes[size.Length] = (byte)'\r';
        bytes[size.Length + 1] = (byte)'\n';
        data.CopyTo(bytes.AsSpan(size.Length + 2));
        bytes[^2] = (byte)'\r';
        bytes[^1] = (byte)'\n';
        return ByteString.FromBytes(bytes);
    }

    /// <summary>Exactly one <c>:status</c> of three digits, and no other pseudo-header (RFC 9113 §8.3.2).</summary>
    private static bool TryStatus(List<HttpHeader> fields, out int status, out string? error)
    {
        status = 0;
        error = "missing or invalid :status";
        var statusSeen = false;
        foreach (var field in fields)
        {
            if (!field.Name.StartsWith(':'))
            {
                continue;
            }
            if (field.Name != ":status" || statusSeen || field.Value.Length != 3
                || !int.TryParse(field.Value, NumberStyles.None, CultureInfo.InvariantCulture, out status) || status < 100)
            {
                return false;
            }
            statusSeen = true;
        }
        error = statusSeen ? null : error;
        return statusSeen;
    }

    /// <summary>
    /// The regular fields, valid and after every pseudo-header, none of them connection-specific; at most one
    /// content-length, which must be digits (-1 when absent).
    /// </summary>
    private static bool TryRegularFields(List<HttpHeader> fields, out HttpHeaders headers, out long contentLength, out string? error)
    {
        headers = new HttpHeaders(fields.Count + 2);
        contentLength = -1;
        error = null;
        foreach (var field in fields)
        {
            if (field.Name.StartsWith(':'))
            {
                if (headers.Count > 0)
                {
                    error = "pseudo-header after a regular field";
                    return false;
                }
                continue;
            }
            if (!ValidField(field) || Http2RequestHeaders.IsConnectionSpecific(field.Name))
            {
                error = "invalid or connection-specific field '" + field.Name + "'";
                return false;
            }
            if (field.Name == "content-length")
            {
                if (contentLength >= 0 || !long.TryParse(field.Value, NumberStyles.None, CultureInfo.InvariantCulture, out contentLength))
                {
                    error = "invalid content-length";
                    return false;
                }
            }
            headers.Add(field.Name, field.Value);
        }
        return true;
    }

    /// <summary>
    /// RFC 9113 §8.2.1: a lowercase token for a name; a value without NUL, CR or LF and without whitespace at either
    /// end.
    /// </summary>
    private static bool ValidField(HttpHeader field)
    {
        var name = field.Name;
        if (name.Length == 0)
        {
            return false;
        }
        foreach (var c in name)
        {
            if (c is >= 'A' and <= 'Z' || c > 0x7e || !Http1HeadParser.IsTokenChar((byte)c))
            {
                return false;
            }
        }
        var value = field.Value;
        if (value.Length > 0 && (value[0] is ' ' or '\t' || value[^1] is ' ' or '\t'))
        {
            return false;
        }
        return value.AsSpan().IndexOfAny('\0', '\r', '\n') < 0;
    }
}

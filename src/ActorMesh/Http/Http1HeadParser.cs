using System.Text;

namespace ActorMesh.Http;

/// <summary>
/// Parses a complete HTTP/1.x header section (request or response) as strictly as Envoy does: anything ambiguous
/// about where a message ends is an error, because a proxy that guesses differently from its upstream can be
/// desynchronised (request smuggling).
/// </summary>
internal static class Http1HeadParser
{
    private static ReadOnlySpan<byte> HeadTerminator => "\r\n\r\n"u8;

    /// <summary>
    /// Finds the end of the header section in <paramref name="buffer"/>: its length including the blank line, 0 when
    /// more bytes are needed, or an error for a bare LF or an oversized head.
    /// </summary>
    public static int FindHeadEnd(ReadOnlySpan<byte> buffer, Http1Limits limits, out HttpParseError? error)
    {
        error = null;
        var end = buffer.IndexOf(HeadTerminator);
        var searched = end < 0 ? buffer : buffer[..(end + 4)];
        if (HasBareLineFeed(searched))
        {
            error = new HttpParseError(400, "bare LF in header section");
            return 0;
        }
        if (end < 0)
        {
            if (buffer.Length > limits.MaxHeadersBytes)
            {
                error = new HttpParseError(431, "header section too large");
            }
            return 0;
        }
        if (end + 4 > limits.MaxHeadersBytes)
        {
            error = new HttpParseError(431, "header section too large");
            return 0;
        }
        return end + 4;
    }

    /// <summary>Counts leading CRLFs, which RFC 9112 §2.2 lets a server skip before a request line.</summary>
    public static int LeadingEmptyLines(ReadOnlySpan<byte> buffer)
    {
        var i = 0;
        while (i + 1 < buffer.Length && buffer[i] == '\r' && buffer[i + 1] == '\n')
        {
            i += 2;
        }
        return i;
    }

    public static HttpRequestHead? ParseRequest(ReadOnlySpan<byte> head, Http1Limits limits, out HttpParseError? error)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        var line = head[..lineEnd];
        if (!TryParseRequestLine(line, out var method, out var target, out var version, out error))
        {
            return null;
        }
        var headers = ParseHeaderLines(head[(lineEnd + 2)..], limits, out error);
        if (headers is null)
        {
            return null;
        }
        if (!TryRequestFraming(headers, version, out var framing, out var length, out error))
        {
            return null;
        }
        if (!ValidHost(headers, version, out error))
        {
            return null;
        }
        var keepAlive = version == HttpVersion.Http11
            ? !headers.HasToken("connection", "close")
            : headers.HasToken("connection", "keep-alive");
        return new HttpRequestHead(method, target, version, headers, framing, length, keepAlive);
    }

    public static HttpResponseHead? ParseResponse(ReadOnlySpan<byte> head, bool requestWasHead, Http1Limits limits, out HttpParseError? error)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        if (!TryParseStatusLine(head[..lineEnd], out var version, out var status, out var reason))
        {
            error = new HttpParseError(502, "invalid status line");
            return null;
        }
        var headers = ParseHeaderLines(head[(lineEnd + 2)..], limits, out error);
        if (headers is null)
        {
            error = new HttpParseError(502, error!.Details);
            return null;
        }
        BodyFraming framing;
        long length = 0;
        if (requestWasHead || status is < 200 or 204 or 304)
        {
            framing = BodyFraming.None;
        }
        else if (headers.Get("transfer-encoding") is not null)
        {
            framing = IsOnlyChunked(headers) ? BodyFraming.Chunked : BodyFraming.UntilClose;
        }
        else if (headers.Get("content-length") is not null)
        {
            if (!TryContentLength(headers, out length))
            {
                error = new HttpParseError(502, "invalid content-length");
                return null;
            }
            framing = length == 0 ? BodyFraming.None : BodyFraming.ContentLength;
        }
        else
        {
            framing = BodyFraming.UntilClose;
        }
        var keepAlive = framing != BodyFraming.UntilClose && (version == HttpVersion.Http11
            ? !headers.HasToken("connection", "close")
            : headers.HasToken("connection", "keep-alive"));
        return new HttpResponseHead(status, reason, version, headers, framing, length, keepAlive);
    }

    private static bool TryParseRequestLine(ReadOnlySpan<byte> line, out string method, out string target, out HttpVersion version, out HttpParseError? error)
    {
        method = target = string.Empty;
        version = HttpVersion.Http11;
        error = new HttpParseError(400, "malformed request line");
        var sp1 = line.IndexOf((byte)' ');
        if (sp1 <= 0)
        {
            return false;
        }
        var rest = line[(sp1 + 1)..];
        var sp2 = rest.IndexOf((byte)' ');
        if (sp2 <= 0)
        {
            return false;
        }
        var methodBytes = line[..sp1];
        var targetBytes = rest[..sp2];
        var versionBytes = rest[(sp2 + 1)..];
        if (!IsToken(methodBytes) || !IsVisible(targetBytes))
        {
            return false;
        }
        if (versionBytes.SequenceEqual("HTTP/1.1"u8))
        {
            version = HttpVersion.Http11;
        }
        else if (versionBytes.SequenceEqual("HTTP/1.0"u8))
        {
            version = HttpVersion.Http10;
        }
        else if (versionBytes.Length == 8 && versionBytes.StartsWith("HTTP/"u8) && char.IsAsciiDigit((char)versionBytes[5])
                 && versionBytes[6] == '.' && char.IsAsciiDigit((char)versionBytes[7]))
        {
            error = new HttpParseError(505, "HTTP version not supported");
            return false;
        }
        else
        {
            return false;
        }
        method = Encoding.ASCII.GetString(methodBytes);
        target = Encoding.ASCII.GetString(targetBytes);
        error = null;
        return true;
    }

    private static bool TryParseStatusLine(ReadOnlySpan<byte> line, out HttpVersion version, out int status, out string reason)
    {
        version = HttpVersion.Http11;
        status = 0;
        reason = string.Empty;
        if (line.Length < 12 || line[8] != ' ')
        {
            return false;
        }
        if (line.StartsWith("HTTP/1.1"u8))
        {
            version = HttpVersion.Http11;
        }
        else if (line.StartsWith("HTTP/1.0"u8))
        {
            version = HttpVersion.Http10;
        }
        else
        {
            return false;
        }
        for (var i = 9; i < 12; i++)
        {
            if (!char.IsAsciiDigit((char)line[i]))
            {
                return false;
            }
            status = status * 10 + (line[i] - '0');
        }
        if (status < 100)
        {
            return false;
        }
        if (line.Length > 12)
        {
            if (line[12] != ' ' || HasControl(line[13..], allowTab: true))
            {
                return false;
            }
            reason = Encoding.Latin1.GetString(line[13..]);
        }
        return true;
    }

    private static HttpHeaders? ParseHeaderLines(ReadOnlySpan<byte> block, Http1Limits limits, out HttpParseError? error)
    {
        error = null;
        var headers = new HttpHeaders();
        while (true)
        {
            var lineEnd = block.IndexOf("\r\n"u8);
            var line = block[..lineEnd];
            block = block[(lineEnd + 2)..];
            if (line.IsEmpty)
            {
                return headers;
            }
            if (line[0] is (byte)' ' or (byte)'\t')
            {
                error = new HttpParseError(400, "obsolete line folding or whitespace before a header");
                return null;
            }
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || !IsToken(line[..colon]))
            {
                error = new HttpParseError(400, "invalid header name");
                return null;
            }
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (HasControl(value, allowTab: true))
            {
                error = new HttpParseError(400, "invalid character in header value");
                return null;
            }
            if (headers.Count >= limits.MaxHeadersCount)
            {
                error = new HttpParseError(431, "too many headers");
                return null;
            }
            headers.Add(Encoding.ASCII.GetString(line[..colon]), Encoding.Latin1.GetString(value));
        }
    }

    private static bool TryRequestFraming(HttpHeaders headers, HttpVersion version, out BodyFraming framing, out long length, out HttpParseError? error)
    {
        framing = BodyFraming.None;
        length = 0;
        error = null;
        var hasTe = headers.Get("transfer-encoding") is not null;
        var hasCl = headers.Get("content-length") is not null;
        if (hasTe)
        {
            if (version == HttpVersion.Http10)
            {
                error = new HttpParseError(400, "transfer-encoding on HTTP/1.0");
                return false;
            }
            if (hasCl)
            {
                error = new HttpParseError(400, "both content-length and transfer-encoding");
                return false;
            }
            if (!IsOnlyChunked(headers))
            {
                var codings = string.Join(",", headers.GetAll("transfer-encoding")).Split(',');
                var unknownButWellFormed = codings.All(c => IsToken(Encoding.ASCII.GetBytes(c.Trim())))
                    && codings[^1].Trim().Equals("chunked", StringComparison.OrdinalIgnoreCase)
                    && codings.Count(c => c.Trim().Equals("chunked", StringComparison.OrdinalIgnoreCase)) == 1;
                error = unknownButWellFormed
                    ? new HttpParseError(501, "unsupported transfer coding")
                    : new HttpParseError(400, "invalid transfer-encoding");
                return false;
            }
            framing = BodyFraming.Chunked;
            return true;
        }
        if (hasCl)
        {
            if (!TryContentLength(headers, out length))
            {
                error = new HttpParseError(400, "invalid content-length");
                return false;
            }
            framing = length == 0 ? BodyFraming.None : BodyFraming.ContentLength;
        }
        return true;
    }

    private static bool IsOnlyChunked(HttpHeaders headers)
    {
        var count = 0;
        string? only = null;
        foreach (var value in headers.GetAll("transfer-encoding"))
        {
            count++;
            only = value;
        }
        return count == 1 && only!.Equals("chunked", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Content-Length must be 1*DIGIT; repeats (as separate fields or a list) must agree.</summary>
    private static bool TryContentLength(HttpHeaders headers, out long length)
    {
        length = -1;
        foreach (var field in headers.GetAll("content-length"))
        {
            foreach (var raw in field.Split(','))
            {
                var value = raw.Trim(' ', '\t');
                // 18 digits keeps the value inside a long.
                if (value.Length is 0 or > 18 || !value.All(char.IsAsciiDigit))
                {
                    return false;
                }
                var parsed = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                if (length >= 0 && parsed != length)
                {
                    return false;
                }
                length = parsed;
            }
        }
        return length >= 0;
    }

    private static bool ValidHost(HttpHeaders headers, HttpVersion version, out HttpParseError? error)
    {
        error = null;
        var count = headers.CountOf("host");
        if (count > 1 || (count == 0 && version == HttpVersion.Http11))
        {
            error = new HttpParseError(400, count > 1 ? "multiple host headers" : "missing host header");
            return false;
        }
        var host = headers.Get("host");
        if (host is not null && !host.All(IsHostChar))
        {
            error = new HttpParseError(400, "invalid host header");
            return false;
        }
        return true;
    }

    private static bool IsHostChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or ':' or '_' or '[' or ']' or '~' or '%' or '!' or '$' or '&'
            or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '=';

    private static bool HasBareLineFeed(ReadOnlySpan<byte> buffer)
    {
        var from = 0;
        while (true)
        {
            var lf = buffer[from..].IndexOf((byte)'\n');
            if (lf < 0)
            {
                return false;
            }
            lf += from;
            if (lf == 0 || buffer[lf - 1] != '\r')
            {
                return true;
            }
            from = lf + 1;
        }
    }

    internal static bool IsToken(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return false;
        }
        foreach (var b in bytes)
        {
            if (!IsTokenChar(b))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsTokenChar(byte b) =>
        b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
            or (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\'' or (byte)'*' or (byte)'+'
            or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~';

    private static bool IsVisible(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is <= 0x20 or >= 0x7f)
            {
                return false;
            }
        }
        return true;
    }

    private static bool HasControl(ReadOnlySpan<byte> bytes, bool allowTab)
    {
        foreach (var b in bytes)
        {
            if ((b < 0x20 && !(allowTab && b == '\t')) || b == 0x7f)
            {
                return true;
            }
        }
        return false;
    }
}

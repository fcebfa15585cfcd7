using System.Text;

namespace ActorMesh.Http;

/// <summary>
/// Parses a complete HTTP/1.x header section (request or response) as strictly as Envoy does: anything ambiguous
/// about where a message ends is an error, because a proxy that guesses differently from its upstream can be
/// desynchronised (request smuggling).
/// </summary>
internal static class Http1HeadParser
{
    private const int MaxContentLengthDigits = 18;

    private static ReadOnlySpan<byte> HeadTerminator => "\r\n\r\n"u8;

    /// <summary>
    /// Finds the end of the header section in <paramref name="buffer"/>: its length including the blank line, 0 when
    /// more bytes are needed, or an error for a bare LF or an oversized head.
    /// </summary>
    public static int FindHeadEnd(ReadOnlySpan<byte> buffer, Http1Limits limits, out HttpParseError? error)
    {
        var scanned = 0;
        return FindHeadEnd(buffer, ref scanned, limits, out error);
    }

    /// <summary>
    /// The incremental form: <paramref name="scanned"/> is how much of <paramref name="buffer"/> earlier calls already
    /// searched, so a head that arrives a few bytes at a time is scanned once, not once per arrival.
    /// </summary>
    public static int FindHeadEnd(ReadOnlySpan<byte> buffer, ref int scanned, Http1Limits limits, out HttpParseError? error)
    {
        error = null;
        // The terminator may straddle what was scanned and what is new.
        var from = Math.Max(0, scanned - 3);
        var found = buffer[from..].IndexOf(HeadTerminator);
        var end = found < 0 ? -1 : from + found;
        var searchedTo = end < 0 ? buffer.Length : end + 4;
        if (HasBareLineFeed(buffer[..searchedTo], scanned))
        {
            error = new HttpParseError(400, "bare LF in header section");
            return 0;
        }
        scanned = searchedTo;
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
        if (!ValidHost(headers, out error))
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
        if (!TryResponseFraming(headers, status, requestWasHead, out var framing, out var length, out error))
        {
            return null;
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
        if (!IsToken(methodBytes) || !IsVisible(targetBytes) || !IsRequestTargetForm(methodBytes, targetBytes))
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
        // Any other well-formed version (HTTP/2.0, HTTP/1.2, HTTP/0.9) is one we do not speak. Envoy's default answers
        // every version but 1.1 with 426 (accept_http_10 off); we serve 1.0 and say 505 for the rest.
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

    /// <summary>
    /// RFC 9112 §3.2: origin-form, absolute-form (<c>scheme://…</c>), authority-form only for CONNECT and asterisk-form
    /// only for OPTIONS. Anything else (<c>GET abc</c>) is what Envoy calls an invalid URL.
    /// </summary>
    private static bool IsRequestTargetForm(ReadOnlySpan<byte> method, ReadOnlySpan<byte> target)
    {
        if (target[0] == '/')
        {
            return true;
        }
        if (target.Length == 1 && target[0] == '*')
        {
            return method.SequenceEqual("OPTIONS"u8);
        }
        if (method.SequenceEqual("CONNECT"u8))
        {
            return true;
        }
        var schemeEnd = target.IndexOf("://"u8);
        if (schemeEnd <= 0 || !char.IsAsciiLetter((char)target[0]))
        {
            return false;
        }
        foreach (var b in target[..schemeEnd])
        {
            if (!char.IsAsciiLetterOrDigit((char)b) && b is not ((byte)'+' or (byte)'-' or (byte)'.'))
            {
                return false;
            }
        }
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
        var hasTe = headers.CountOf("transfer-encoding") > 0;
        var hasCl = headers.CountOf("content-length") > 0;
        if (hasTe)
        {
            // HTTP/1.0 has no transfer codings: an intermediary that ignores the field would frame differently.
            if (version == HttpVersion.Http10)
            {
                error = new HttpParseError(400, "transfer-encoding on HTTP/1.0");
                return false;
            }
            // Envoy's default (allow_chunked_length off): both framings at once is a smuggling attempt, 400.
            if (hasCl)
            {
                error = new HttpParseError(400, "both content-length and transfer-encoding");
                return false;
            }
            // Envoy answers every coding other than a single bare `chunked` with 501 (http1.invalid_transfer_encoding);
            // control characters never get here, the header value check rejects them with 400.
            if (!IsOnlyChunked(headers))
            {
                error = new HttpParseError(501, "unsupported transfer coding");
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

    /// <summary>
    /// RFC 9112 §6.3 for responses, with Envoy's strictness: CL with TE, a coding other than <c>chunked</c>, an invalid
    /// or repeated Content-Length, or a body announced on a 1xx or 204 is a protocol error (502), never a guess.
    /// </summary>
    private static bool TryResponseFraming(HttpHeaders headers, int status, bool requestWasHead, out BodyFraming framing, out long length, out HttpParseError? error)
    {
        framing = BodyFraming.None;
        length = 0;
        error = null;
        var hasTe = headers.CountOf("transfer-encoding") > 0;
        var hasCl = headers.CountOf("content-length") > 0;
        if (hasTe && (hasCl || !IsOnlyChunked(headers)))
        {
            error = new HttpParseError(502, "invalid transfer-encoding");
            return false;
        }
        if (hasCl && !TryContentLength(headers, out length))
        {
            error = new HttpParseError(502, "invalid content-length");
            return false;
        }
        var bodiless = status is < 200 or 204;
        if (bodiless && (hasTe || length > 0))
        {
            error = new HttpParseError(502, "body framing on a 1xx or 204 response");
            return false;
        }
        if (requestWasHead || bodiless || status == 304)
        {
            // A HEAD or 304 response's Content-Length describes a body that is not sent.
            length = 0;
            return true;
        }
        if (hasTe)
        {
            framing = BodyFraming.Chunked;
        }
        else if (hasCl)
        {
            framing = length == 0 ? BodyFraming.None : BodyFraming.ContentLength;
        }
        else
        {
            framing = BodyFraming.UntilClose;
        }
        return true;
    }

    private static bool IsOnlyChunked(HttpHeaders headers) =>
        headers.CountOf("transfer-encoding") == 1
        && headers.Get("transfer-encoding")!.Equals("chunked", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Content-Length must be one field of 1*DIGIT. Like Envoy (Balsa's disallow_multiple_content_length), repeats are
    /// rejected even when they agree, and so is a list (<c>5, 5</c>): there is one honest way to say it.
    /// </summary>
    private static bool TryContentLength(HttpHeaders headers, out long length)
    {
        length = -1;
        if (headers.CountOf("content-length") != 1)
        {
            return false;
        }
        var value = headers.Get("content-length")!;
        // 18 digits keep the value inside a long.
        if (value.Length is 0 or > MaxContentLengthDigits)
        {
            return false;
        }
        long parsed = 0;
        foreach (var c in value)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
            parsed = parsed * 10 + (c - '0');
        }
        length = parsed;
        return true;
    }

    private static bool ValidHost(HttpHeaders headers, out HttpParseError? error)
    {
        error = null;
        var count = headers.CountOf("host");
        // Envoy requires a Host on HTTP/1.0 too (unless default_host_for_http_10 supplies one): the request goes on
        // upstream as HTTP/1.1, which must carry one.
        if (count != 1)
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

    private static bool HasBareLineFeed(ReadOnlySpan<byte> buffer, int from)
    {
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

    internal static bool IsTokenChar(byte b) =>
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

using ActorMesh.Hosting;
using ActorMesh.Listeners;
using ActorMesh.Tests.Listeners;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Http;

/// <summary>
/// RFC 9112 / RFC 9110 request parsing, end to end over real sockets: raw bytes into an in-process proxy whose upstream
/// records every byte it gets. A rejected request gets its status, the connection closed, its counters, and nothing
/// at all at the upstream; an accepted one reaches the upstream exactly as expected and leaves the connection usable.
/// Where the RFC leaves a choice the status is Envoy's (noted per case).
/// </summary>
public sealed class RequestConformanceTests
{
    // What the proxy adds to every forwarded request (x-request-id normalised by RecordedRequest.Normalized).
    private const string Added = "x-forwarded-proto: http\r\nx-request-id: <id>\r\n";
    private const string FollowUp = "GET /next HTTP/1.1\r\nHost: a\r\n\r\n";
    private const string FollowUpForwarded = "GET /next HTTP/1.1\r\nHost: a\r\n" + Added + "\r\n";
    private const string Post = "POST / HTTP/1.1\r\nHost: a\r\n";
    private const string Chunked = Post + "Transfer-Encoding: chunked\r\n\r\n";
    private const string ChunkedForwarded = Post + "transfer-encoding: chunked\r\n" + Added + "\r\n";

    [Theory]
    [InlineData(Post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")]
    [InlineData(Post + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n")]
    [InlineData(Post + "Content-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")]
    [InlineData(Post + "Content-Length: 5\r\nTransfer-Encoding: gzip\r\n\r\nhello")]
    public Task Content_length_with_transfer_encoding_is_400(string request) => AssertRejected(request, 400);

    // Envoy: any Transfer-Encoding but a single bare `chunked` is 501 (http1.invalid_transfer_encoding).
    [Theory]
    [InlineData("chunked, gzip")]
    [InlineData("gzip, chunked")]
    [InlineData("xchunked")]
    [InlineData("chunkedx")]
    [InlineData("identity")]
    [InlineData("gzip")]
    [InlineData("chunked;x=1")]
    [InlineData("chunked, chunked")]
    [InlineData("chunked,")]
    [InlineData("\"chunked\"")]
    [InlineData("")]
    public Task Transfer_codings_other_than_one_chunked_are_501(string coding) =>
        AssertRejected(Post + "Transfer-Encoding: " + coding + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 501);

    [Theory]
    [InlineData(Post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")]
    [InlineData(Post + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")]
    [InlineData(Post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n")]
    public Task Transfer_encoding_in_two_fields_is_501(string request) => AssertRejected(request, 501);

    [Theory]
    [InlineData("\u000bchunked")]
    [InlineData("chunked\u000b")]
    [InlineData("\u000cchunked")]
    [InlineData("\u0000chunked")]
    [InlineData("chunked\u0001")]
    [InlineData("chunked\r")]
    [InlineData("chunked\u007f")]
    public Task Control_characters_around_chunked_are_400(string coding) =>
        AssertRejected(Post + "Transfer-Encoding: " + coding + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 400);

    [Theory]
    [InlineData("POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")]
    public Task Transfer_encoding_on_http10_is_400(string request) => AssertRejected(request, 400);

    [Theory]
    [InlineData("+5")]
    [InlineData("-1")]
    [InlineData("0x5")]
    [InlineData("1 0")]
    [InlineData("")]
    [InlineData("5.0")]
    [InlineData("5, 5")]
    [InlineData("5,6")]
    [InlineData("1234567890123456789")]
    [InlineData("99999999999999999999")]
    [InlineData("\u00d9\u00a5")]
    [InlineData("five")]
    public Task Content_length_that_is_not_one_run_of_digits_is_400(string value) =>
        AssertRejected(Post + "Content-Length: " + value + "\r\n\r\nhello", 400);

    // Envoy (Balsa's disallow_multiple_content_length) rejects repeated Content-Length even when the values agree.
    [Theory]
    [InlineData(Post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!")]
    [InlineData(Post + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello")]
    [InlineData(Post + "Content-Length: 0\r\ncontent-length: 0\r\n\r\n")]
    public Task Repeated_content_length_is_400(string request) => AssertRejected(request, 400);

    [Theory]
    [InlineData("zz\r\nhello\r\n0\r\n\r\n")]
    [InlineData("0x5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("-5\r\nhello\r\n0\r\n\r\n")]
    [InlineData(" 5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5 \r\nhello\r\n0\r\n\r\n")]
    [InlineData("+5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("\r\nhello\r\n0\r\n\r\n")]
    [InlineData("10000000000000000\r\nhello\r\n0\r\n\r\n")]
    [InlineData("ffffffffffffffff\r\nhello\r\n0\r\n\r\n")]
    public Task Chunk_size_that_is_not_hex_or_overflows_is_400(string body) => AssertRejected(Chunked + body, 400);

    [Theory]
    [InlineData("5\r\nhelloXX\r\n0\r\n\r\n")]
    [InlineData("5\r\nhell\r\n0\r\n\r\n")]
    [InlineData("5\r\nhello0\r\n\r\n")]
    [InlineData("5\r\nhello\n0\r\n\r\n")]
    public Task Chunk_data_that_overruns_its_size_is_400(string body) => AssertRejected(Chunked + body, 400);

    [Theory]
    [InlineData("5\nhello\r\n0\r\n\r\n")]
    [InlineData("5\rhello\r\n0\r\n\r\n")]
    [InlineData("5;a=b\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a\rb\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a\u0000\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5\r\nhello\r\n0\n\n")]
    [InlineData("5\r\nhello\r\n0\r\r\n")]
    public Task Bare_lf_or_cr_or_control_in_a_chunk_line_is_400(string body) => AssertRejected(Chunked + body, 400);

    [Fact]
    public Task Chunk_extension_over_4_KiB_is_400() =>
        AssertRejected(Chunked + "5;" + new string('a', 4097) + "\r\nhello\r\n0\r\n\r\n", 400);

    [Theory]
    [InlineData("5\r\nhello\r\n0\r\nno colon\r\n\r\n")]
    [InlineData("5\r\nhello\r\n0\r\nX-T: a\r\n folded\r\n\r\n")]
    [InlineData("5\r\nhello\r\n0\r\nX-T: a\n\r\n")]
    [InlineData("5\r\nhello\r\n0\r\nX-T: a\u0000\r\n\r\n")]
    [InlineData("5\r\nhello\r\n0\r\n: empty name\r\n\r\n")]
    [InlineData("5\r\nhello\r\n0\r\nX T: a\r\n\r\n")]
    public Task Malformed_trailers_are_400(string body) => AssertRejected(Chunked + body, 400);

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost : a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A\t: 1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n: 1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX(A): 1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX A: 1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX\u00e9: 1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nno colon\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n folded\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n\tfolded\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A: a\u0000b\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A: a\rb\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A: a\nb\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A: a\u007fb\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\n Host: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\n\tHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\nHost: a\n\n")]
    public Task Malformed_header_section_is_400(string request) => AssertRejected(request, 400);

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n")]
    [InlineData("GET / HTTP/1.0\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a b\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: user@a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\"b\r\n\r\n")]
    public Task Missing_repeated_or_invalid_host_is_400_on_either_version(string request) => AssertRejected(request, 400);

    [Theory]
    [InlineData("GET  / HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /  HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1 \r\nHost: a\r\n\r\n")]
    [InlineData(" GET / HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET\t/\tHTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /\r\nHost: a\r\n\r\n")]
    [InlineData("GET / \r\nHost: a\r\n\r\n")]
    [InlineData("GET / http/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.10\r\nHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/1\r\nHost: a\r\n\r\n")]
    [InlineData("GET abc HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("G(T / HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a\u007f HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("\u0001\u0002garbage\r\n\r\n")]
    public Task Malformed_request_line_is_400(string request) => AssertRejected(request, 400);

    // Envoy answers every version but HTTP/1.1 with 426 by default (accept_http_10 off); ActorMesh serves HTTP/1.0
    // and answers other well-formed versions, HTTP/1.2 included, with 505.
    [Theory]
    [InlineData("HTTP/2.0")]
    [InlineData("HTTP/1.2")]
    [InlineData("HTTP/3.0")]
    [InlineData("HTTP/0.9")]
    public Task Unsupported_version_is_505(string version) => AssertRejected("GET / " + version + "\r\nHost: a\r\n\r\n", 505);

    [Fact]
    public Task More_than_100_headers_is_431() =>
        AssertRejected("GET / HTTP/1.1\r\nHost: a\r\n" + Headers(100) + "\r\n", 431);

    [Fact]
    public Task Header_section_over_60_KiB_is_431() =>
        AssertRejected("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + new string('b', 60 * 1024) + "\r\n\r\n", 431);

    // Envoy counts the URL into max_request_headers_kb, so an over-long request line is 431 as well.
    [Fact]
    public Task Request_line_over_the_header_limit_is_431() =>
        AssertRejected("GET /" + new string('u', 61 * 1024) + " HTTP/1.1\r\nHost: a\r\n\r\n", 431);

    [Theory]
    [InlineData(Post + "Content-Length: 5\r\n\r\nhello", Post + "Content-Length: 5\r\n" + Added + "\r\nhello")]
    [InlineData(Post + "Content-Length:   5  \r\n\r\nhello", Post + "Content-Length: 5\r\n" + Added + "\r\nhello")]
    [InlineData(Post + "Content-Length: 005\r\n\r\nhello", Post + "Content-Length: 005\r\n" + Added + "\r\nhello")]
    [InlineData(Post + "Content-Length: 0\r\n\r\n", Post + "Content-Length: 0\r\n" + Added + "\r\n")]
    [InlineData(Post + "Content-Length: 4\r\n\r\n\r\n\r\n", Post + "Content-Length: 4\r\n" + Added + "\r\n\r\n\r\n")]
    [InlineData("GET /x?y=1 HTTP/1.1\r\nHost: a\r\n\r\n", "GET /x?y=1 HTTP/1.1\r\nHost: a\r\n" + Added + "\r\n")]
    public Task Content_length_bodies_are_forwarded_intact(string request, string forwarded) => AssertAccepted(request, forwarded);

    [Theory]
    [InlineData(Chunked + "4\r\nWiki\r\n6\r\npedia!\r\n0\r\n\r\n", ChunkedForwarded + "4\r\nWiki\r\n6\r\npedia!\r\n0\r\n\r\n")]
    [InlineData(Chunked + "5;name=value\r\nhello\r\n0;last\r\n\r\n", ChunkedForwarded + "5\r\nhello\r\n0\r\n\r\n")]
    [InlineData(Chunked + "A\r\n0123456789\r\n0\r\n\r\n", ChunkedForwarded + "a\r\n0123456789\r\n0\r\n\r\n")]
    [InlineData(Chunked + "005\r\nhello\r\n000\r\n\r\n", ChunkedForwarded + "5\r\nhello\r\n0\r\n\r\n")]
    [InlineData(Chunked + "5\r\na\r\nbc\r\n0\r\n\r\n", ChunkedForwarded + "5\r\na\r\nbc\r\n0\r\n\r\n")]
    [InlineData(Chunked + "0\r\n\r\n", ChunkedForwarded + "0\r\n\r\n")]
    public Task Chunked_bodies_are_rechunked(string request, string forwarded) => AssertAccepted(request, forwarded);

    // Trailers are read and dropped: a Content-Length or Transfer-Encoding among them frames nothing.
    [Theory]
    [InlineData(Chunked + "5\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n")]
    [InlineData(Chunked + "5\r\nhello\r\n0\r\nContent-Length: 99\r\nTransfer-Encoding: gzip\r\n\r\n")]
    [InlineData(Chunked + "5\r\nhello\r\n0\r\nX-Trailer: caf\u00e9\tok\r\nX-Empty:\r\n\r\n")]
    public Task Trailers_are_accepted_but_never_frame_or_forward(string request) =>
        AssertAccepted(request, ChunkedForwarded + "5\r\nhello\r\n0\r\n\r\n");

    [Theory]
    [InlineData("Chunked")]
    [InlineData("CHUNKED")]
    [InlineData("  chunked  ")]
    [InlineData("\tchunked\t")]
    public Task A_single_chunked_in_any_case_with_optional_whitespace_is_accepted(string coding) =>
        AssertAccepted(Post + "Transfer-Encoding: " + coding + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n", ChunkedForwarded + "5\r\nhello\r\n0\r\n\r\n");

    [Theory]
    [InlineData("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")]
    public Task Leading_empty_lines_are_skipped(string request) =>
        AssertAccepted(request, "GET / HTTP/1.1\r\nHost: a\r\n" + Added + "\r\n");

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a:8080\r\n\r\n", "GET / HTTP/1.1\r\nHost: a:8080\r\n" + Added + "\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", "GET / HTTP/1.1\r\nHost: [::1]:80\r\n" + Added + "\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-Latin: caf\u00e9\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\nX-Latin: caf\u00e9\r\n" + Added + "\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-Tab: a\tb\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\nX-Tab: a\tb\r\n" + Added + "\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\nX-Empty: \r\n" + Added + "\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-A:1\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n" + Added + "\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n!#$%&'*+-.^_`|~0: v\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\n!#$%&'*+-.^_`|~0: v\r\n" + Added + "\r\n")]
    [InlineData("GET / HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\n" + Added + "\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nConnection: x-drop\r\nX-Drop: 1\r\nKeep-Alive: 5\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\n" + Added + "\r\n")]
    public Task Valid_header_sections_are_forwarded(string request, string forwarded) => AssertAccepted(request, forwarded);

    [Fact]
    public Task Exactly_100_headers_are_accepted() =>
        AssertAccepted("GET / HTTP/1.1\r\nHost: a\r\n" + Headers(99) + "\r\n", "GET / HTTP/1.1\r\nHost: a\r\n" + Headers(99) + Added + "\r\n");

    [Theory]
    [InlineData("GET / HTTP/1.0\r\nHost: a\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\n" + Added + "\r\n")]
    [InlineData("POST / HTTP/1.0\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n" + Added + "\r\nhello")]
    public Task Http10_requests_are_forwarded_and_the_connection_closed(string request, string forwarded) =>
        AssertAccepted(request, forwarded, keepAlive: false);

    // Desync defence: whatever follows a malformed request (here a smuggled GET) is never parsed, let alone forwarded.
    [Theory]
    [InlineData(Post + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData(Post + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData(Post + "Content-Length: 0\r\nContent-Length: 37\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData(Post + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n", 501)]
    [InlineData(Post + "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData(Post + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData(Chunked + "5\r\nhelloGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData(Chunked + "0\r\nX: y\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX: a\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
    public Task A_request_smuggled_behind_a_malformed_one_never_reaches_the_upstream(string request, int status) =>
        AssertRejected(request, status);

    // The codec is the same behind either socket edge; this proves the edge does not change what is forwarded.
    [Theory]
    [InlineData(SocketEdge.Socket)]
    [InlineData(SocketEdge.AkkaIo)]
    public async Task A_valid_request_pipelined_before_a_malformed_one_is_answered_and_nothing_after_it_is_forwarded(SocketEdge edge)
    {
        await using var upstream = RecordingUpstream.Start();
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port), new ServerOptions { SocketEdge = edge });
        using var client = await PipelinedClient.Open(proxy.Port("main"));

        await client.Send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
            + "GET /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx"
            + "GET /3 HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.Equal(200, (await client.ReadResponse())?.Status);
        Assert.Equal(400, (await client.ReadResponse())?.Status);
        var (closed, rest) = await client.ReadToEnd();
        Assert.True(closed, "the proxy kept the connection open after a malformed request");
        Assert.Equal(string.Empty, rest);
        var forwarded = Assert.Single(upstream.Requests);
        Assert.Equal("GET /1 HTTP/1.1\r\nHost: a\r\n" + Added + "\r\n", forwarded.Normalized);
        Assert.Equal(1, proxy.Stat("http.ingress_http.downstream_cx_protocol_error"));
        Assert.Equal(1, proxy.Stat("http.ingress_http.downstream_rq_2xx"));
        Assert.Equal(1, proxy.Stat("http.ingress_http.downstream_rq_4xx"));
    }

    // A head that was already forwarded when its body turns out bad cannot be recalled (bodies stream, as in Envoy):
    // the upstream request is then abandoned with a reset, never completed, and that connection never reused.
    [Fact]
    public async Task A_body_error_after_the_head_was_forwarded_aborts_the_upstream_request()
    {
        await using var upstream = RecordingUpstream.Start();
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port));
        using var client = await PipelinedClient.Open(proxy.Port("main"));

        await client.Send(Chunked + "5\r\nhello\r\n");
        await HttpConnectionManagerTests.AwaitCondition(() => upstream.BytesReceived > 0);
        await client.Send("zz\r\n");

        Assert.Equal(400, (await client.ReadResponse())?.Status);
        Assert.True((await client.ReadToEnd()).Closed);
        await HttpConnectionManagerTests.AwaitCondition(() => upstream.ClosedConnections == 1);
        Assert.Empty(upstream.Requests);
        Assert.Equal(1, proxy.Stat("http.ingress_http.downstream_cx_protocol_error"));

        using var next = await PipelinedClient.Open(proxy.Port("main"));
        await next.Send(FollowUp);
        Assert.Equal(200, (await next.ReadResponse())?.Status);
        Assert.Equal(2, upstream.Accepts);
    }

    // The same bytes in many small writes: heads gathered across reads, chunk lines and CRLFs split anywhere.
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(1000)]
    public async Task A_request_split_across_many_writes_is_parsed_the_same(int pieceSize)
    {
        await using var upstream = RecordingUpstream.Start();
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port));
        using var client = await PipelinedClient.Open(proxy.Port("main"));
        var filler = "X-Filler: " + new string('f', 1500) + "\r\n";

        await client.SendInPieces("\r\n" + Post + filler + "Content-Length: 5\r\n\r\nhello"
            + Chunked + "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n", pieceSize);

        Assert.Equal(200, (await client.ReadResponse())?.Status);
        Assert.Equal(200, (await client.ReadResponse())?.Status);
        Assert.Equal(2, upstream.Requests.Count);
        Assert.Equal(Post + filler + "Content-Length: 5\r\n" + Added + "\r\nhello", upstream.Requests[0].Normalized);
        var second = upstream.Requests[1].Normalized;
        Assert.StartsWith(ChunkedForwarded, second);
        Assert.Equal("abcde", Dechunk(second[ChunkedForwarded.Length..]));
    }

    [Theory]
    [InlineData(1, "GET / HTTP/1.1\r\nHost: a\r\nX-A: a\nb\r\n\r\n", 400)]
    [InlineData(2, "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n folded\r\n\r\n", 400)]
    [InlineData(5, Chunked + "5\r\nhelloXX\r\n0\r\n\r\n", 400)]
    [InlineData(1024, "GET / HTTP/1.1\r\nHost: a\r\nX-Big: {61 KiB}\r\n\r\n", 431)]
    public async Task A_malformed_request_split_across_many_writes_is_still_rejected(int pieceSize, string request, int status)
    {
        await using var upstream = RecordingUpstream.Start();
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port));
        using var client = await PipelinedClient.Open(proxy.Port("main"));

        try
        {
            await client.SendInPieces(request.Replace("{61 KiB}", new string('b', 61 * 1024)), pieceSize);
        }
        catch (IOException)
        {
            // The proxy may close while the rest is still being written; the answer below is what matters.
        }

        Assert.Equal(status, (await client.ReadResponse())?.Status);
        Assert.True((await client.ReadToEnd()).Closed);
        if (status == 431 || pieceSize < 5)
        {
            // The head never completed, so nothing can have gone upstream.
            Assert.Equal(0, upstream.BytesReceived);
        }
        Assert.Empty(upstream.Requests);
        Assert.Equal(1, proxy.Stat("http.ingress_http.downstream_cx_protocol_error"));
    }

    private static string Dechunk(string chunked)
    {
        var body = new System.Text.StringBuilder();
        var at = 0;
        while (true)
        {
            var lineEnd = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = Convert.ToInt32(chunked[at..lineEnd], 16);
            if (size == 0)
            {
                return body.ToString();
            }
            body.Append(chunked, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
    }

    private static string Headers(int count) =>
        string.Concat(Enumerable.Range(0, count).Select(i => $"X-H{i}: {i}\r\n"));

    private static async Task AssertRejected(string request, int status)
    {
        await using var upstream = RecordingUpstream.Start();
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port));
        using var client = await PipelinedClient.Open(proxy.Port("main"));

        await client.Send(request);
        var response = await client.ReadResponse();
        var (closed, rest) = await client.ReadToEnd();

        Assert.NotNull(response);
        Assert.Equal(status, response.Status);
        Assert.True(response.HasHeader("connection: close"), response.Head);
        Assert.True(closed, "the proxy kept the connection open after a malformed request");
        Assert.Equal(string.Empty, rest);
        Assert.Equal(0, upstream.Accepts);
        Assert.Equal(0, upstream.BytesReceived);
        Assert.Equal(1, proxy.Stat("http.ingress_http.downstream_cx_protocol_error"));
        Assert.Equal(1, proxy.Stat($"http.ingress_http.downstream_rq_{status / 100}xx"));
    }

    /// <summary>
    /// The request is answered by the upstream and reaches it exactly as <paramref name="forwarded"/>; with keep-alive a
    /// follow-up request on the same connection is answered too (the connection was neither closed nor desynchronised).
    /// </summary>
    private static async Task AssertAccepted(string request, string forwarded, bool keepAlive = true)
    {
        await using var upstream = RecordingUpstream.Start();
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port));
        using var client = await PipelinedClient.Open(proxy.Port("main"));

        await client.Send(request);
        var response = await client.ReadResponse();
        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        Assert.Equal("ok", response.Body);
        if (keepAlive)
        {
            await client.Send(FollowUp);
            Assert.Equal(200, (await client.ReadResponse())?.Status);
            Assert.Equal(2, upstream.Requests.Count);
            Assert.Equal(FollowUpForwarded, upstream.Requests[1].Normalized);
        }
        else
        {
            Assert.True((await client.ReadToEnd()).Closed, "an HTTP/1.0 connection without keep-alive stayed open");
            Assert.Single(upstream.Requests);
        }
        Assert.Equal(forwarded, upstream.Requests[0].Normalized);
        Assert.Equal(0, proxy.Stat("http.ingress_http.downstream_cx_protocol_error"));
    }
}

using System.Text;
using ActorMesh.Http;
using ActorMesh.Http.Http2;
using Xunit;

namespace ActorMesh.Tests.Http.Http2;

/// <summary>HTTP/2 responses as HTTP/1.1 messages, and the messaging rules of RFC 9113 §8 on the way.</summary>
public sealed class Http2ResponseConverterTests
{
    [Fact]
    public void A_content_length_body_keeps_its_length_and_its_last_octets_wait_for_end_stream()
    {
        var converter = new Http2ResponseConverter(requestWasHead: false);

        var head = Text(converter.OnHeaders(Fields((":status", "200"), ("content-length", "5"), ("x-a", "1")), false, out _));
        var data = Text(converter.OnData("hello"u8, false, out _));
        Assert.False(converter.IsComplete);
        var end = Text(converter.OnData([], true, out _));

        Assert.Equal("HTTP/1.1 200 OK\r\ncontent-length: 5\r\nx-a: 1\r\n\r\n", head);
        Assert.Equal("", data);
        Assert.Equal("hello", end);
        Assert.True(converter.IsComplete);
    }

    [Fact]
    public void Without_content_length_the_body_is_chunked_and_trailers_end_it()
    {
        var converter = new Http2ResponseConverter(requestWasHead: false);

        var head = Text(converter.OnHeaders(Fields((":status", "404")), false, out _));
        var data = Text(converter.OnData("abc"u8, false, out _));
        var end = Text(converter.OnHeaders(Fields(("grpc-status", "0")), true, out _));

        Assert.Equal("HTTP/1.1 404 Not Found\r\ntransfer-encoding: chunked\r\n\r\n", head);
        Assert.Equal("3\r\nabc\r\n", data);
        Assert.Equal("0\r\n\r\n", end);
    }

    [Fact]
    public void Interim_responses_pass_and_a_head_response_waits_for_end_stream()
    {
        var converter = new Http2ResponseConverter(requestWasHead: true);

        var interim = Text(converter.OnHeaders(Fields((":status", "103"), ("link", "</a>")), false, out _));
        var head = Text(converter.OnHeaders(Fields((":status", "200"), ("content-length", "10")), false, out _));
        var end = Text(converter.OnData([], true, out _));

        Assert.Equal("HTTP/1.1 103 Unknown\r\nlink: </a>\r\n\r\n", interim);
        Assert.Equal("", head);
        Assert.Equal("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n", end);
    }

    [Theory]
    [InlineData("no status")]
    [InlineData("two statuses")]
    [InlineData("pseudo after regular")]
    [InlineData("unknown pseudo")]
    [InlineData("uppercase name")]
    [InlineData("transfer-encoding")]
    [InlineData("two content-lengths")]
    [InlineData("value with whitespace at the end")]
    [InlineData("101")]
    [InlineData("interim with end stream")]
    public void Malformed_response_heads_are_refused(string malformation)
    {
        var (fields, endStream) = malformation switch
        {
            "no status" => (Fields(("x", "1")), false),
            "two statuses" => (Fields((":status", "200"), (":status", "200")), false),
            "pseudo after regular" => (Fields(("x", "1"), (":status", "200")), false),
            "unknown pseudo" => (Fields((":status", "200"), (":path", "/")), false),
            "uppercase name" => (Fields((":status", "200"), ("X", "1")), false),
            "transfer-encoding" => (Fields((":status", "200"), ("transfer-encoding", "chunked")), false),
            "two content-lengths" => (Fields((":status", "200"), ("content-length", "1"), ("content-length", "1")), false),
            "value with whitespace at the end" => (Fields((":status", "200"), ("x", "1 ")), false),
            "101" => (Fields((":status", "101")), false),
            _ => (Fields((":status", "100")), true),
        };

        Assert.Null(new Http2ResponseConverter(false).OnHeaders(fields, endStream, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void A_body_that_disagrees_with_content_length_is_refused()
    {
        var over = new Http2ResponseConverter(false);
        over.OnHeaders(Fields((":status", "200"), ("content-length", "2")), false, out _);
        var under = new Http2ResponseConverter(false);
        under.OnHeaders(Fields((":status", "200"), ("content-length", "2")), false, out _);
        var noBody = new Http2ResponseConverter(false);
        noBody.OnHeaders(Fields((":status", "204")), false, out _);

        Assert.Null(over.OnData("abc"u8, false, out _));
        Assert.Null(under.OnData("a"u8, true, out _));
        Assert.Null(noBody.OnData("a"u8, true, out _));
        Assert.Null(new Http2ResponseConverter(false).OnData("a"u8, false, out _));
    }

    [Fact]
    public void Trailers_must_end_the_stream_and_carry_no_pseudo_headers()
    {
        var open = new Http2ResponseConverter(false);
        open.OnHeaders(Fields((":status", "200")), false, out _);
        var pseudo = new Http2ResponseConverter(false);
        pseudo.OnHeaders(Fields((":status", "200")), false, out _);

        Assert.Null(open.OnHeaders(Fields(("x", "1")), false, out _));
        Assert.Null(pseudo.OnHeaders(Fields((":status", "200")), true, out _));
    }

    private static List<HttpHeader> Fields(params (string Name, string Value)[] fields) => fields.Select(f => new HttpHeader(f.Name, f.Value)).ToList();

    private static string Text(Akka.IO.ByteString? bytes) => Encoding.Latin1.GetString(Assert.IsType<Akka.IO.ByteString>(bytes).ToArray());
}

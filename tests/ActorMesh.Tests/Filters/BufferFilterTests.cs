using System.Net;
using System.Text;
using Xunit;

namespace ActorMesh.Tests.Filters;

/// <summary>envoy.filters.http.buffer's max_request_bytes: 413 for a body over the limit, declared or streamed.</summary>
public sealed class BufferFilterTests
{
    private const string Buffer =
        "- name: envoy.filters.http.buffer\n"
        + "  typed_config:\n"
        + "    \"@type\": type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer\n"
        + "    max_request_bytes: 1024\n";

    [Fact]
    public async Task A_content_length_over_the_limit_is_answered_413_before_the_upstream_sees_it()
    {
        await using var proxy = await FilterProxy.StartAsync(Buffer);

        using var small = await proxy.Send(HttpMethod.Post, "/x", new ByteArrayContent(new byte[1024]));
        using var large = await proxy.Send(HttpMethod.Post, "/x", new ByteArrayContent(new byte[1025]));

        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        Assert.Equal("Payload Too Large", await large.Content.ReadAsStringAsync());
        Assert.Equal(1, proxy.Upstream.Requests);
        // The connection stays usable after the rejected body was read past.
        Assert.Equal(HttpStatusCode.OK, await proxy.Status("/after"));
    }

    [Fact]
    public async Task A_chunked_body_is_counted_as_it_streams()
    {
        await using var proxy = await FilterProxy.StartAsync(Buffer);
        var port = proxy.Harness.Port("main");

        var chunk = new string('a', 800);
        var request = "POST /x HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            + $"{chunk.Length:x}\r\n{chunk}\r\n{chunk.Length:x}\r\n{chunk}\r\n0\r\n\r\n";
        var response = await Support.RawHttp.Exchange(port, request, TimeSpan.FromSeconds(3));
        var fits = "POST /x HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            + $"{chunk.Length:x}\r\n{chunk}\r\n0\r\n\r\n";
        var accepted = await Support.RawHttp.Exchange(port, fits, TimeSpan.FromSeconds(3));

        Assert.StartsWith("HTTP/1.1 413 Payload Too Large", response);
        Assert.StartsWith("HTTP/1.1 200", accepted);
        Assert.Contains("\r\n\r\nok", accepted);
    }

    [Fact]
    public async Task A_route_can_disable_the_limit()
    {
        var routes = "routes:\n"
            + "- match: { prefix: \"/upload\" }\n"
            + "  route: { cluster: backend }\n"
            + "  typed_per_filter_config:\n"
            + "    envoy.filters.http.buffer:\n"
            + "      \"@type\": type.googleapis.com/envoy.extensions.filters.http.buffer.v3.BufferPerRoute\n"
            + "      disabled: true\n"
            + "- match: { prefix: \"/\" }\n"
            + "  route: { cluster: backend }";
        await using var proxy = await FilterProxy.StartAsync(Buffer, routes);

        using var upload = await proxy.Send(HttpMethod.Post, "/upload", new StringContent(new string('b', 4000), Encoding.ASCII));
        using var other = await proxy.Send(HttpMethod.Post, "/other", new StringContent(new string('b', 4000), Encoding.ASCII));

        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, other.StatusCode);
    }
}

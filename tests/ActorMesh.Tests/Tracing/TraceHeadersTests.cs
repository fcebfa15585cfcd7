using ActorMesh.Http;
using ActorMesh.Tracing;
using Xunit;

namespace ActorMesh.Tests.Tracing;

public sealed class TraceHeadersTests
{
    private static HttpHeaders Headers(params (string Name, string Value)[] headers)
    {
        var result = new HttpHeaders();
        foreach (var (name, value) in headers)
        {
            result.Add(name, value);
        }
        return result;
    }

    [Theory]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", true)]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", false)]
    [InlineData("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03-future", true)]
    public void W3C_traceparent_is_read(string traceparent, bool sampled)
    {
        Assert.True(TraceHeaders.TryExtractW3C(Headers(("traceparent", traceparent)), out var context));
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", context.TraceId.ToHex());
        Assert.Equal("00f067aa0ba902b7", SpanIds.ToHex(context.SpanId));
        Assert.Equal(sampled, context.Sampled);
    }

    [Theory]
    [InlineData("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")]
    [InlineData("00-00000000000000000000000000000000-00f067aa0ba902b7-01")]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")]
    [InlineData("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01")]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra")]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7")]
    public void Invalid_traceparent_is_ignored(string traceparent) =>
        Assert.False(TraceHeaders.TryExtractW3C(Headers(("traceparent", traceparent)), out _));

    [Fact]
    public void B3_multi_and_single_headers_are_read()
    {
        Assert.True(TraceHeaders.TryExtractB3(Headers(
            ("x-b3-traceid", "463ac35c9f6413ad"), ("x-b3-spanid", "a2fb4a1d1a96d312"), ("x-b3-parentspanid", "0020000000000001"), ("x-b3-flags", "1")), out var multi));
        Assert.Equal(("463ac35c9f6413ad", "a2fb4a1d1a96d312", "0020000000000001", (bool?)true),
            (multi.TraceId.ToHex(wide: false), SpanIds.ToHex(multi.SpanId), SpanIds.ToHex(multi.ParentSpanId), multi.Sampled));

        Assert.True(TraceHeaders.TryExtractB3(Headers(("b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-d-05e3ac9a4f6e3b90")), out var single));
        Assert.Equal(("80f198ee56343ba864fe8b2a57d3eff7", "e457b5a2e4d86bd1", "05e3ac9a4f6e3b90", (bool?)true),
            (single.TraceId.ToHex(), SpanIds.ToHex(single.SpanId), SpanIds.ToHex(single.ParentSpanId), single.Sampled));

        Assert.True(TraceHeaders.TryExtractB3(Headers(("b3", "0")), out var deny));
        Assert.Equal((false, (bool?)false), (deny.HasIds, deny.Sampled));
        Assert.False(TraceHeaders.TryExtractB3(Headers(("x-b3-traceid", "xyz"), ("x-b3-spanid", "a2fb4a1d1a96d312")), out _));
    }

    [Fact]
    public void Injection_names_the_proxys_span_as_parent()
    {
        var headers = Headers(("x-b3-parentspanid", "1111111111111111"));
        var trace = new TraceId(0, 0x463ac35c9f6413ad);

        TraceHeaders.InjectB3(headers, trace, 0xa2fb4a1d1a96d312, 0, sampled: false, wide: false);
        TraceHeaders.InjectW3C(headers, trace, 0xa2fb4a1d1a96d312, sampled: true);

        Assert.Equal("463ac35c9f6413ad", headers.Get("x-b3-traceid"));
        Assert.Equal("a2fb4a1d1a96d312", headers.Get("x-b3-spanid"));
        Assert.Null(headers.Get("x-b3-parentspanid"));
        Assert.Equal("0", headers.Get("x-b3-sampled"));
        Assert.Equal("00-0000000000000000463ac35c9f6413ad-a2fb4a1d1a96d312-01", headers.Get("traceparent"));
    }
}

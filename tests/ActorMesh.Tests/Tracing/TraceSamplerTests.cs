using ActorMesh.Config;
using ActorMesh.Http;
using ActorMesh.Tracing;
using Xunit;

namespace ActorMesh.Tests.Tracing;

public sealed class TraceSamplerTests
{
    // 0x00000fa0 % 10000 = 4000: in at random_sampling 40.01 and above, out at 40 and below.
    private const string RequestId = "00000fa0-0000-4000-8000-000000000000";

    private static readonly TracingConfig Defaults = new(new ZipkinTracerConfig("z", "c", "/api/v2/spans", null, true, false));

    private static HttpHeaders Request(string requestId = RequestId, params (string Name, string Value)[] extra)
    {
        var headers = new HttpHeaders();
        headers.Add("x-request-id", requestId);
        foreach (var (name, value) in extra)
        {
            headers.Add(name, value);
        }
        return headers;
    }

    [Theory]
    [InlineData(40.0, TraceReason.NotTraceable, '4')]
    [InlineData(40.01, TraceReason.Sampling, '9')]
    [InlineData(100, TraceReason.Sampling, '9')]
    public void Random_sampling_draws_on_the_request_id_and_marks_it(double percent, TraceReason expected, char mark)
    {
        var headers = Request();

        Assert.Equal(expected, TraceSampler.Decide(headers, Defaults with { RandomSampling = percent }));
        Assert.Equal(mark, headers.Get("x-request-id")![14]);
    }

    [Fact]
    public void Force_trace_and_client_trace_id_win_over_random_sampling_but_not_overall()
    {
        var off = Defaults with { RandomSampling = 0 };
        var forced = Request(extra: ("x-envoy-force-trace", "true"));
        Assert.Equal(TraceReason.ServiceForced, TraceSampler.Decide(forced, off));
        Assert.Equal('b', forced.Get("x-request-id")![14]);

        Assert.Equal(TraceReason.ClientForced, TraceSampler.Decide(Request(extra: ("x-client-trace-id", "abc")), off));
        Assert.Equal(TraceReason.ServiceForced, TraceSampler.Decide(Request(extra: [("x-client-trace-id", "abc"), ("x-envoy-force-trace", "true")]), off with { ClientSampling = 0 }));

        var vetoed = Request(extra: ("x-envoy-force-trace", "true"));
        Assert.Equal(TraceReason.NotTraceable, TraceSampler.Decide(vetoed, off with { OverallSampling = 40 }));
        Assert.Equal('4', vetoed.Get("x-request-id")![14]);
    }

    [Fact]
    public void An_earlier_hops_mark_is_kept_and_a_request_id_that_is_not_a_UUID_is_never_sampled()
    {
        var marked = Request("00000fa0-0000-a000-8000-000000000000");
        Assert.Equal(TraceReason.ClientForced, TraceSampler.Decide(marked, Defaults with { RandomSampling = 0 }));
        Assert.Equal("00000fa0-0000-a000-8000-000000000000", marked.Get("x-request-id"));

        Assert.Equal(TraceReason.NotTraceable, TraceSampler.Decide(Request("00000fa0-custom"), Defaults));
        Assert.Equal(TraceReason.NotTraceable, TraceSampler.Decide(Request("not-hex-at-all"), Defaults));
    }
}

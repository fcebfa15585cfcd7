using ActorMesh.AccessLog.Filters;
using ActorMesh.Config;
using ActorMesh.Http;
using ActorMesh.Runtime;
using Xunit;

namespace ActorMesh.Tests.AccessLog;

/// <summary>Each access log filter kind decided on hand-built exchanges, as Envoy's <c>AccessLog::Filter</c> decides.</summary>
public sealed class AccessLogFilterTests
{
    private static AccessLogFilter Filter(AccessLogFilterConfig config, RuntimeLoader? runtime = null) => AccessLogFilter.Create(config, runtime);

    private static StreamInfo WithCode(int code)
    {
        var info = StreamInfos.Complete();
        info.ResponseCode = code;
        return info;
    }

    private static StreamInfo WithRequestId(string id)
    {
        var info = StreamInfos.Complete();
        info.Request!.Headers.Set("x-request-id", id);
        return info;
    }

    private static StatusCodeFilterConfig Status(ComparisonOp op, uint value, string? key = null) => new(new ComparisonConfig(op, value, key));

    [Theory]
    [InlineData(ComparisonOp.Eq, 404, 404, true)]
    [InlineData(ComparisonOp.Eq, 404, 503, false)]
    [InlineData(ComparisonOp.Ge, 500, 503, true)]
    [InlineData(ComparisonOp.Ge, 500, 499, false)]
    [InlineData(ComparisonOp.Le, 299, 200, true)]
    [InlineData(ComparisonOp.Le, 299, 301, false)]
    [InlineData(ComparisonOp.Eq, 0, 0, true)]
    public void Status_code_filter_compares_the_response_code(ComparisonOp op, uint value, int code, bool passes) =>
        Assert.Equal(passes, Filter(Status(op, value)).Evaluate(WithCode(code)));

    [Fact]
    public void An_integer_under_the_runtime_key_replaces_the_default_value()
    {
        var runtime = new RuntimeLoader();
        var filter = Filter(Status(ComparisonOp.Ge, 500, "log.min"), runtime);
        Assert.False(filter.Evaluate(WithCode(404)));

        runtime.MergeValues([KeyValuePair.Create("log.min", "400")]);
        Assert.True(filter.Evaluate(WithCode(404)));

        runtime.MergeValues([KeyValuePair.Create("log.min", "not a number")]);
        Assert.False(filter.Evaluate(WithCode(404)));
    }

    [Fact]
    public void Duration_filter_compares_whole_milliseconds_of_the_exchange()
    {
        // StreamInfos.Complete ends 226 ms after it started.
        var info = StreamInfos.Complete();

        Assert.True(Filter(new DurationFilterConfig(new ComparisonConfig(ComparisonOp.Eq, 226, null))).Evaluate(info));
        Assert.True(Filter(new DurationFilterConfig(new ComparisonConfig(ComparisonOp.Ge, 200, null))).Evaluate(info));
        Assert.False(Filter(new DurationFilterConfig(new ComparisonConfig(ComparisonOp.Le, 100, null))).Evaluate(info));
    }

    [Fact]
    public void Header_filter_matches_request_headers_and_pseudo_headers_and_sees_none_without_a_request()
    {
        var post = new HeaderFilterConfig(new HeaderMatcherConfig(":method", HeaderMatchKind.String) { StringMatch = new StringMatcherConfig(StringMatchKind.Exact, "POST", false) });
        var agent = new HeaderFilterConfig(new HeaderMatcherConfig("user-agent", HeaderMatchKind.String) { StringMatch = new StringMatcherConfig(StringMatchKind.Prefix, "nsq", false) });
        var absent = new HeaderFilterConfig(new HeaderMatcherConfig("x-debug", HeaderMatchKind.Present) { Present = false });
        var info = StreamInfos.Complete();
        var malformed = StreamInfos.Complete();
        malformed.Request = null;

        Assert.True(Filter(post).Evaluate(info));
        Assert.True(Filter(agent).Evaluate(info));
        Assert.True(Filter(absent).Evaluate(info));
        Assert.False(Filter(post).Evaluate(malformed));
        Assert.True(Filter(absent).Evaluate(malformed));
    }

    [Fact]
    public void Response_flag_filter_matches_any_listed_flag_or_with_none_listed_any_flag()
    {
        var uhOrNr = Filter(new ResponseFlagFilterConfig(new[] { "UH", "NR" }.ToEquatableArray()));
        var any = Filter(new ResponseFlagFilterConfig(EquatableArray<string>.Empty));
        var neverSet = Filter(new ResponseFlagFilterConfig(new[] { "UAEX" }.ToEquatableArray()));
        var noRoute = WithCode(404);
        noRoute.Flags = ResponseFlags.NoRouteFound;
        var faulted = WithCode(503);
        faulted.Flags = ResponseFlags.FaultInjected | ResponseFlags.DelayInjected;
        var clean = WithCode(200);

        Assert.True(uhOrNr.Evaluate(noRoute));
        Assert.False(uhOrNr.Evaluate(faulted));
        Assert.True(any.Evaluate(faulted));
        Assert.False(any.Evaluate(clean));
        Assert.False(neverSet.Evaluate(faulted));
    }

    [Fact]
    public void And_and_or_filters_combine_in_order()
    {
        var serverError = Status(ComparisonOp.Ge, 500);
        var notFound = Status(ComparisonOp.Eq, 404);
        var flagged = new ResponseFlagFilterConfig(EquatableArray<string>.Empty);
        var both = Filter(new AndFilterConfig(new AccessLogFilterConfig[] { serverError, flagged }.ToEquatableArray()));
        var either = Filter(new OrFilterConfig(new AccessLogFilterConfig[] { notFound, new AndFilterConfig(new AccessLogFilterConfig[] { serverError, flagged }.ToEquatableArray()) }.ToEquatableArray()));
        var unflagged503 = WithCode(503);
        var flagged503 = WithCode(503);
        flagged503.Flags = ResponseFlags.NoHealthyUpstream;

        Assert.False(both.Evaluate(unflagged503));
        Assert.True(both.Evaluate(flagged503));
        Assert.True(either.Evaluate(WithCode(404)));
        Assert.True(either.Evaluate(flagged503));
        Assert.False(either.Evaluate(unflagged503));
    }

    [Fact]
    public void Runtime_filter_samples_on_the_request_id_so_every_hop_agrees()
    {
        var half = new RuntimeFilterConfig("log.sample", new FractionalPercentConfig(50, FractionDenominator.Hundred), false);
        var filter = Filter(half);

        // The first 8 hex digits, 0x31 = 49 and 0x32 = 50, taken modulo 100 against 50.
        Assert.True(filter.Evaluate(WithRequestId("00000031-0000-4000-8000-000000000000")));
        Assert.False(filter.Evaluate(WithRequestId("00000032-0000-4000-8000-000000000000")));
        for (var i = 0; i < 20; i++)
        {
            Assert.True(filter.Evaluate(WithRequestId("00000031-0000-4000-8000-000000000000")));
        }
    }

    [Fact]
    public void Runtime_filter_takes_a_runtime_percentage_and_independent_randomness_ignores_the_request_id()
    {
        var runtime = new RuntimeLoader();
        var none = Filter(new RuntimeFilterConfig("log.sample", FractionalPercentConfig.Zero, UseIndependentRandomness: true), runtime);
        var info = WithRequestId("00000000-0000-4000-8000-000000000000");

        Assert.False(none.Evaluate(info));
        runtime.MergeValues([KeyValuePair.Create("log.sample", "100")]);
        Assert.True(none.Evaluate(info));
    }

    [Fact]
    public void Traceable_filter_passes_requests_whose_trace_the_service_forced()
    {
        var filter = Filter(TraceableFilterConfig.Instance);

        Assert.True(filter.Evaluate(WithRequestId("cc21d9b0-cf5c-b32b-8c7e-98aeb7988cd2")));
        Assert.False(filter.Evaluate(WithRequestId("cc21d9b0-cf5c-932b-8c7e-98aeb7988cd2")));
        Assert.False(filter.Evaluate(WithRequestId("cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2")));
    }

    [Fact]
    public void Not_health_check_filter_rejects_what_the_health_check_filter_marked()
    {
        var filter = Filter(NotHealthCheckFilterConfig.Instance);
        var check = StreamInfos.Complete();
        check.HealthCheck = true;

        Assert.True(filter.Evaluate(StreamInfos.Complete()));
        Assert.False(filter.Evaluate(check));
    }
}

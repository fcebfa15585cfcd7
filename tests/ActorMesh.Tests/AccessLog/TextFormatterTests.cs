using System.Net;
using ActorMesh.AccessLog;
using ActorMesh.Config;
using ActorMesh.Http;
using HttpVersion = ActorMesh.Http.HttpVersion;
using Xunit;

namespace ActorMesh.Tests.AccessLog;

public sealed class TextFormatterTests
{
    private static string Format(string format, StreamInfo info) =>
        AccessLogFormatter.Create(new AccessLogFormatConfig(format, null)).Format(info);

    [Fact]
    public void Default_format_matches_envoy_byte_for_byte()
    {
        var line = AccessLogFormatter.Create(null).Format(StreamInfos.Complete());

        Assert.Equal(
            "[2016-04-15T20:17:00.310Z] \"POST /api/v1/locations?limit=5 HTTP/1.1\" 204 - 154 0 226 100 " +
            "\"10.0.35.28\" \"nsq2http\" \"cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2\" \"location.example.com\" \"10.0.0.1:8080\"\n",
            line);
    }

    [Fact]
    public void Default_format_text_is_envoys()
    {
        Assert.Equal(
            "[%START_TIME%] \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%\" %RESPONSE_CODE% %RESPONSE_FLAGS% " +
            "%BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% \"%REQ(X-FORWARDED-FOR)%\" " +
            "\"%REQ(USER-AGENT)%\" \"%REQ(X-REQUEST-ID)%\" \"%REQ(:AUTHORITY)%\" \"%UPSTREAM_HOST%\"\n",
            AccessLogFormatter.DefaultFormat);
    }

    [Fact]
    public void Default_format_prints_dashes_for_everything_unknown()
    {
        var line = AccessLogFormatter.Create(null).Format(StreamInfos.Empty());

        Assert.Equal("[2016-04-15T20:17:00.310Z] \"- - -\" 0 - 0 0 - - \"-\" \"-\" \"-\" \"-\" \"-\"\n", line);
    }

    [Fact]
    public void Original_path_wins_over_path_when_present()
    {
        var info = StreamInfos.Complete();
        info.Request!.Headers.Add("x-envoy-original-path", "/original");

        Assert.Equal("/original", Format("%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%", info));
        Assert.Equal("/api/v1/locations?limit=5", Format("%REQ(:PATH)%", info));
    }

    [Theory]
    [InlineData("%REQ(:METHOD)%", "POST")]
    [InlineData("%REQ(:PATH)%", "/api/v1/locations?limit=5")]
    [InlineData("%REQ(:AUTHORITY)%", "location.example.com")]
    [InlineData("%REQ(:SCHEME)%", "http")]
    [InlineData("%REQ(user-agent)%", "nsq2http")]
    [InlineData("%REQ(X-MISSING?USER-AGENT)%", "nsq2http")]
    [InlineData("%REQ(X-MISSING)%", "-")]
    [InlineData("%REQ(USER-AGENT):3%", "nsq")]
    [InlineData("%REQ(USER-AGENT):0%", "")]
    [InlineData("%REQ_WITHOUT_QUERY(:PATH)%", "/api/v1/locations")]
    [InlineData("%REQ_WITHOUT_QUERY(:PATH):4%", "/api")]
    [InlineData("%RESP(CONTENT-TYPE)%", "application/json")]
    [InlineData("%RESP(X-MISSING?content-type):11%", "application")]
    [InlineData("%RESP(:STATUS)%", "204")]
    [InlineData("%PROTOCOL%", "HTTP/1.1")]
    [InlineData("%RESPONSE_CODE%", "204")]
    [InlineData("%RESPONSE_CODE_DETAILS%", "via_upstream")]
    [InlineData("%RESPONSE_FLAGS%", "-")]
    [InlineData("%BYTES_RECEIVED%", "154")]
    [InlineData("%BYTES_SENT%", "0")]
    [InlineData("%DURATION%", "226")]
    [InlineData("%RESPONSE_DURATION%", "120")]
    [InlineData("%UPSTREAM_HOST%", "10.0.0.1:8080")]
    [InlineData("%UPSTREAM_CLUSTER%", "location_service")]
    [InlineData("%DOWNSTREAM_REMOTE_ADDRESS%", "10.0.35.28:51234")]
    [InlineData("%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%", "10.0.35.28")]
    [InlineData("%DOWNSTREAM_LOCAL_ADDRESS%", "10.0.0.5:10000")]
    [InlineData("%DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT%", "10.0.0.5")]
    [InlineData("%ROUTE_NAME%", "locations")]
    [InlineData("%START_TIME%", "2016-04-15T20:17:00.310Z")]
    [InlineData("100%% of %PROTOCOL%", "100% of HTTP/1.1")]
    [InlineData("no operators at all", "no operators at all")]
    public void Each_operator_reads_its_field(string format, string expected)
    {
        Assert.Equal(expected, Format(format, StreamInfos.Complete()));
    }

    [Theory]
    [InlineData("%REQ(:METHOD)%")]
    [InlineData("%RESP(CONTENT-TYPE)%")]
    [InlineData("%RESP(:STATUS)%")]
    [InlineData("%PROTOCOL%")]
    [InlineData("%RESPONSE_CODE_DETAILS%")]
    [InlineData("%DURATION%")]
    [InlineData("%RESPONSE_DURATION%")]
    [InlineData("%UPSTREAM_HOST%")]
    [InlineData("%UPSTREAM_CLUSTER%")]
    [InlineData("%DOWNSTREAM_REMOTE_ADDRESS%")]
    [InlineData("%DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT%")]
    [InlineData("%ROUTE_NAME%")]
    public void Missing_values_print_a_dash(string format)
    {
        Assert.Equal("-", Format(format, StreamInfos.Empty()));
    }

    [Fact]
    public void Omit_empty_values_prints_nothing_for_missing_values()
    {
        var formatter = AccessLogFormatter.Create(new AccessLogFormatConfig("[%UPSTREAM_HOST%][%PROTOCOL%]", null, OmitEmptyValues: true));

        Assert.Equal("[][]", formatter.Format(StreamInfos.Empty()));
    }

    [Fact]
    public void Response_code_is_zero_when_no_response_was_sent()
    {
        Assert.Equal("0", Format("%RESPONSE_CODE%", StreamInfos.Empty()));
    }

    [Fact]
    public void Ipv6_addresses_are_bracketed_only_with_a_port()
    {
        var info = StreamInfos.Complete();
        var v6 = new StreamInfo
        {
            StartTime = info.StartTime,
            StartTimestamp = info.StartTimestamp,
            DownstreamRemoteAddress = new IPEndPoint(IPAddress.IPv6Loopback, 5000),
        };

        Assert.Equal("[::1]:5000 ::1", Format("%DOWNSTREAM_REMOTE_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%", v6));
    }

    [Fact]
    public void Http10_requests_log_their_protocol()
    {
        var info = StreamInfos.Complete();
        info.Request = info.Request! with { Version = HttpVersion.Http10 };

        Assert.Equal("HTTP/1.0", Format("%PROTOCOL%", info));
    }

    [Theory]
    [InlineData(ResponseFlags.NoRouteFound, "NR")]
    [InlineData(ResponseFlags.NoHealthyUpstream, "UH")]
    [InlineData(ResponseFlags.UpstreamConnectionFailure, "UF")]
    [InlineData(ResponseFlags.UpstreamOverflow, "UO")]
    [InlineData(ResponseFlags.UpstreamRequestTimeout, "UT")]
    [InlineData(ResponseFlags.UpstreamConnectionTermination, "UC")]
    [InlineData(ResponseFlags.DownstreamConnectionTermination, "DC")]
    [InlineData(ResponseFlags.LocalReset, "LR")]
    [InlineData(ResponseFlags.RateLimited, "RL")]
    [InlineData(ResponseFlags.DelayInjected, "DI")]
    [InlineData(ResponseFlags.FaultInjected, "FI")]
    [InlineData(ResponseFlags.DownstreamProtocolError, "DPE")]
    [InlineData(ResponseFlags.NoRouteFound | ResponseFlags.NoHealthyUpstream, "UH,NR")]
    [InlineData(ResponseFlags.DownstreamConnectionTermination | ResponseFlags.UpstreamRequestTimeout | ResponseFlags.FaultInjected, "UT,FI,DC")]
    public void Response_flags_use_envoys_short_codes_in_envoys_order(ResponseFlags flags, string expected)
    {
        var info = StreamInfos.Complete();
        info.Flags = flags;

        Assert.Equal(expected, Format("%RESPONSE_FLAGS%", info));
        Assert.Equal(expected, ResponseFlagCodes.ToShortString(flags));
    }

    [Fact]
    public void Every_response_flag_has_a_short_code()
    {
        foreach (var flag in Enum.GetValues<ResponseFlags>().Where(f => f != ResponseFlags.None))
        {
            Assert.NotNull(ResponseFlagCodes.ShortCode(flag));
        }
    }

    [Fact]
    public void Literal_text_around_operators_is_kept()
    {
        Assert.Equal("status=204 cluster=location_service\n", Format("status=%RESPONSE_CODE% cluster=%UPSTREAM_CLUSTER%\n", StreamInfos.Complete()));
    }
}
